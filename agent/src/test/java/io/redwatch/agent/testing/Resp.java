package io.redwatch.agent.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The Redis protocol (RESP2), as much of it as a test talking to redis-server needs. */
final class Resp {
    private Resp() {}

    static byte[] encode(String... args) {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            request.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            request.writeBytes(bytes);
            request.writeBytes(new byte[] {'\r', '\n'});
        }
        return request.toByteArray();
    }

    static String readReply(InputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new IOException("connection closed before a reply");
        }
        String line = readLine(in);
        switch (type) {
            case '+':
            case ':':
                return line;
            case '-':
                throw new RedisServerProcess.RedisErrorReply(line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] data = in.readNBytes(length + 2);
                if (data.length != length + 2) {
                    throw new IOException("connection closed inside a bulk reply");
                }
                return new String(data, 0, length, StandardCharsets.UTF_8);
            }
            case '*': {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    return null;
                }
                List<String> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(readReply(in));
                }
                return String.join("\n", items);
            }
            default:
                throw new IOException("unexpected RESP type '" + (char) type + "' followed by " + line);
        }
    }

    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\r') {
                in.read(); // '\n'
                return line.toString(StandardCharsets.UTF_8);
            }
            line.write(c);
        }
        throw new IOException("connection closed inside a reply line");
    }
}
