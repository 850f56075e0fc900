package io.redwatch.collector.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import io.redwatch.proto.v1.AgentMessage;
import io.redwatch.proto.v1.CollectorMessage;
import io.redwatch.proto.v1.IngestGrpc;
import java.io.IOException;
import java.io.InputStream;

/**
 * The ingest service with a request parser that turns bytes that are not an AgentMessage into a
 * marker the stream answers with one logged protocol error (INVALID_ARGUMENT); grpc-java's own
 * parser would log a SEVERE stack trace for each such message.
 */
public final class LenientAgentMessages {
    /** Compared by identity: no agent can send this very instance. */
    static final AgentMessage MALFORMED = AgentMessage.newBuilder()
            .setUnknownFields(UnknownFieldSet.newBuilder()
                    .addField(
                            536_870_911,
                            UnknownFieldSet.Field.newBuilder().addVarint(0).build())
                    .build())
            .build();

    private LenientAgentMessages() {}

    @SuppressWarnings("unchecked")
    public static ServerServiceDefinition bind(IngestService ingest) {
        ServerServiceDefinition generated = ingest.bindService();
        MethodDescriptor<AgentMessage, CollectorMessage> method = IngestGrpc.getStreamMethod().toBuilder(
                        new Lenient(), ProtoUtils.marshaller(CollectorMessage.getDefaultInstance()))
                .build();
        ServerCallHandler<AgentMessage, CollectorMessage> handler = (ServerCallHandler<AgentMessage, CollectorMessage>)
                generated.getMethod(method.getFullMethodName()).getServerCallHandler();
        return ServerServiceDefinition.builder(IngestGrpc.getServiceDescriptor().getName())
                .addMethod(method, handler)
                .build();
    }

    private static final class Lenient implements MethodDescriptor.Marshaller<AgentMessage> {
        private final MethodDescriptor.Marshaller<AgentMessage> proto =
                ProtoUtils.marshaller(AgentMessage.getDefaultInstance());

        @Override
        public InputStream stream(AgentMessage value) {
            return proto.stream(value);
        }

        @Override
        public AgentMessage parse(InputStream stream) {
            try {
                return AgentMessage.parseFrom(stream);
            } catch (InvalidProtocolBufferException e) {
                return MALFORMED;
            } catch (IOException e) {
                return MALFORMED;
            }
        }
    }
}
