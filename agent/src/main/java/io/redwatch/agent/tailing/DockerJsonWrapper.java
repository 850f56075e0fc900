package io.redwatch.agent.tailing;

import static io.redwatch.agent.tailing.Chars.skipBlanks;
import static io.redwatch.agent.tailing.Chars.stripLineEnd;

/** One line of Docker's json-file driver: the "log" string is decoded and read as the inner line. */
final class DockerJsonWrapper {

    private final LogZone zone;
    private final InnerLine inner;

    DockerJsonWrapper(LogZone zone, InnerLine inner) {
        this.zone = zone;
        this.inner = inner;
    }

    boolean parse(String s, int p, long ref, LineFields f) {
        DockerJsonLine json = DockerJsonLine.parse(s, p);
        if (json == null || json.log == null) {
            return false;
        }
        String text = stripLineEnd(json.log);
        WrapperStamp stamp = new WrapperStamp();
        boolean haveTime = json.time != null && stamp.readIso(json.time, 0, zone) == json.time.length();
        f.wrapper = "docker-json";
        return inner.read(text, skipBlanks(text, 0), ref, f, haveTime ? stamp : null, 0, 0);
    }
}
