package io.redwatch.collector.alerting.sms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.collector.alerting.Notice;
import io.redwatch.collector.alerting.NoticeItem;
import io.redwatch.collector.alerting.NotificationKind;
import io.redwatch.collector.alerting.SuppressedSummary;
import io.redwatch.collector.rules.Severity;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmsTextTest {
    private static final String ADVICE_EN =
            "Run sysctl vm.overcommit_memory=1 now, and add vm.overcommit_memory = 1 to "
                    + "/etc/sysctl.conf so it survives a reboot; longer term, more RAM or a smaller dataset.";
    // From seed 001 (redis丢失数据案例): the advice as the Chinese post-mortem gives it.
    private static final String ADVICE_ZH =
            "可以简单的通过修改overcommit_memory系统参数为1来改变这种简单粗暴的检查行为:" + " sysctl vm.overcommit_memory=1 并写入 /etc/sysctl.conf";

    private final SmsText text = new SmsText(ZoneId.of("Asia/Shanghai"));

    @Test
    void shortEnglishTextIsSentAsIs() {
        String s = "[CRITICAL] fork_enomem db1:6379: BGSAVE fails: fork cannot allocate memory";
        assertEquals(s, SmsText.fit(s));
    }

    @Test
    void englishAlertFitsOneGsmSmsAndKeepsWholeWords() {
        String raw = text.raw(notice(item(
                "fork_enomem",
                "db1:6379",
                "Background save fails every 6 s: fork: Cannot allocate memory (62 GB host, 27.55 GB dataset)",
                ADVICE_EN)));
        String fitted = text.render(notice(item(
                "fork_enomem",
                "db1:6379",
                "Background save fails every 6 s: fork: Cannot allocate memory (62 GB host, 27.55 GB dataset)",
                ADVICE_EN)));
        assertTrue(raw.length() > 160, "the raw text must be too long for this test to mean anything: " + raw.length());
        assertTrue(SmsText.isGsm7(fitted), fitted);
        assertTrue(SmsText.length(fitted) <= 160, fitted.length() + ": " + fitted);
        assertTrue(fitted.startsWith("[CRITICAL] fork_enomem db1:6379"), fitted);
        assertTrue(fitted.endsWith("..."), fitted);
        assertKeepsWholeWords(raw, fitted, "...");
        // It uses the room it has: dropping whole words, not most of the text.
        assertTrue(SmsText.length(fitted) > 140, fitted.length() + ": " + fitted);
    }

    @Test
    void chineseTextFitsOneUcs2Sms() {
        NoticeItem i = item("fork_enomem", "db1:6379", "后台保存失败: fork: Cannot allocate memory", ADVICE_ZH);
        String raw = text.raw(notice(i));
        String fitted = text.render(notice(i));
        assertFalse(SmsText.isGsm7(fitted));
        assertEquals(70, SmsText.limit(fitted));
        assertTrue(fitted.length() <= 70, fitted.length() + ": " + fitted);
        assertTrue(fitted.length() >= 60, "uses the room it has: " + fitted);
        assertTrue(fitted.endsWith("…"), fitted);
        assertKeepsWholeWords(raw, fitted, "…");
    }

    @Test
    void aLatinWordInsideChineseTextIsNotSplit() {
        // 'vm.overcommit_memory=1' straddles position 70; it must be dropped whole, not cut.
        String raw = "紧急告警：实例内存不足，后台保存一直失败，请立刻执行以下命令修复问题并检查主机内存使用情况和交换分区设置 sysctl vm.overcommit_memory=1 然后观察";
        String fitted = SmsText.fit(raw);
        assertTrue(fitted.length() <= 70, fitted);
        assertFalse(fitted.contains("vm.over") && !fitted.contains("vm.overcommit_memory=1"), fitted);
        assertKeepsWholeWords(raw, fitted, "…");
    }

    @Test
    void gsmExtensionCharactersCountTwice() {
        String s = "[".repeat(81); // 162 septets
        assertEquals(162, SmsText.length(s));
        assertTrue(SmsText.length(SmsText.fit(s)) <= 160);
    }

    @Test
    void aGroupNamesCountHostAndSuppressedBeforeTheList() {
        List<NoticeItem> items = new ArrayList<>();
        for (int k = 0; k < 40; k++) items.add(item("rule_" + k, "db1:" + (7000 + k), "s", "a"));
        String fitted = text.render(new Notice("db1", items, new SuppressedSummary(37, 0, List.of("fork_enomem ×37"))));
        assertTrue(fitted.startsWith("[CRITICAL] 40 alerts on db1 (+37 suppressed since 08:00):"), fitted);
        assertTrue(SmsText.length(fitted) <= 160, fitted);
    }

    /** Every word of the fitted text (but the ellipsis) is a whole word of the original, in order. */
    private static void assertKeepsWholeWords(String raw, String fitted, String ellipsis) {
        String body = fitted.substring(0, fitted.length() - ellipsis.length());
        assertTrue(raw.startsWith(body), "a prefix of the original: " + body);
        char next = raw.charAt(body.length());
        char last = body.charAt(body.length() - 1);
        boolean cjkEdge = Character.UnicodeScript.of(last) == Character.UnicodeScript.HAN
                || Character.UnicodeScript.of(next) == Character.UnicodeScript.HAN;
        boolean spaceEdge = Character.isWhitespace(next) || ",;:(".indexOf(next) >= 0;
        assertTrue(cjkEdge || spaceEdge, "cut mid-word between '" + last + "' and '" + next + "' in: " + fitted);
        List<String> words = Arrays.asList(raw.split("\\s+"));
        for (String w : body.split("\\s+")) {
            if (w.codePoints().noneMatch(cp -> Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN)) {
                assertTrue(
                        words.stream().anyMatch(o -> o.startsWith(w.replaceAll("[,;:(]+$", ""))), "whole word: " + w);
            }
        }
    }

    private static Notice notice(NoticeItem i) {
        return new Notice(i.host(), List.of(i), SuppressedSummary.NONE);
    }

    private static NoticeItem item(String rule, String instance, String summary, String advice) {
        return new NoticeItem(
                1,
                NotificationKind.FIRING,
                rule,
                Severity.CRITICAL,
                instance,
                "db1",
                summary,
                List.of("11 Aug 10:43:12.034 # Can't save in background: fork: Cannot allocate memory"),
                advice,
                0,
                0);
    }
}
