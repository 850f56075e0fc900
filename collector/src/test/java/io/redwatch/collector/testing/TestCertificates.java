package io.redwatch.collector.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A CA, a server certificate for {@link #SERVER_NAME} and a client certificate, made with openssl
 * at test time in a temporary directory (no key is ever committed). Keys are EC P-256 in PKCS#8 PEM.
 */
public final class TestCertificates {
    /** The only name in the server certificate: agents reach it at 127.0.0.1 and must set server_name. */
    public static final String SERVER_NAME = "collector.redwatch.test";

    public final Path caCert;
    public final Path serverCert;
    public final Path serverKey;
    public final Path clientCert;
    public final Path clientKey;
    /** A CA nobody signed anything with: trusting it must fail the handshake. */
    public final Path otherCaCert;

    private TestCertificates(Path dir) {
        caCert = dir.resolve("ca.crt");
        serverCert = dir.resolve("server.crt");
        serverKey = dir.resolve("server.key");
        clientCert = dir.resolve("client.crt");
        clientKey = dir.resolve("client.key");
        otherCaCert = dir.resolve("other-ca.crt");
    }

    public static TestCertificates create(Path dir) throws IOException, InterruptedException {
        TestCertificates c = new TestCertificates(dir);
        ca(dir, "ca", "redwatch test CA");
        ca(dir, "other-ca", "some other CA");
        leaf(dir, "server", SERVER_NAME, "subjectAltName=DNS:" + SERVER_NAME + "\nextendedKeyUsage=serverAuth\n");
        leaf(dir, "client", "test-agent", "extendedKeyUsage=clientAuth\n");
        return c;
    }

    private static void ca(Path dir, String name, String cn) throws IOException, InterruptedException {
        openssl(
                dir,
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                name + ".key",
                "-out",
                name + ".crt",
                "-days",
                "2",
                "-subj",
                "/CN=" + cn,
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign");
    }

    private static void leaf(Path dir, String name, String cn, String ext) throws IOException, InterruptedException {
        Files.writeString(dir.resolve(name + ".ext"), ext, StandardCharsets.US_ASCII);
        openssl(
                dir,
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                name + ".key",
                "-out",
                name + ".csr",
                "-subj",
                "/CN=" + cn);
        openssl(
                dir,
                "x509",
                "-req",
                "-in",
                name + ".csr",
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                name + ".crt",
                "-days",
                "2",
                "-extfile",
                name + ".ext");
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
}
