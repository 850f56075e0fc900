package io.redwatch.collector.diagnosis;

import io.redwatch.collector.storage.RecentRecords;
import io.redwatch.collector.storage.RecentRecordsReader;
import java.util.Collection;
import java.util.Map;

/** Where new windows find their instances' past: the database ({@code RecentRecordsReader::load}), many at once. */
@FunctionalInterface
public interface HistoryLoader {
    Map<String, RecentRecords> load(Collection<RecentRecordsReader.Wanted> wanted, RecentRecordsReader.Bounds bounds);
}
