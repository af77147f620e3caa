#pragma once
// Streaming reader for WebDataset tar shards as img2dataset writes them:
// members `{key}.jpg|jpeg|png|webp`, `{key}.txt` and `{key}.json`, where key
// is the member path up to the first '.' of its base name and the members of
// one key are consecutive. Each key becomes one Document holding one image
// and its caption (from .txt, else the json "caption") as a Caption block
// and as ImageRef::caption. Plain tar and compressed tar (.tar.gz, ...) are
// read through libarchive, one member at a time, never the whole shard.
//
// Image bytes are copied to extractDir/<shard name without .tar>/<member path>
// so later stages can read them as files; ImageRef::localPath is that copy.
// Members are never trusted: a name that is absolute or contains ".." is
// skipped and recorded as an error item; a symlink, hardlink or other
// non-regular image member is never followed or written and its ImageRef is
// refused as "outside_corpus".
//
// Document keys are "wds:<shard name without .tar>/<key>"; item locations
// are "<shard file name>:<key or member>".
//
// Not thread-safe; one reader per thread.

#include "core/ingest/sourceitem.h"
#include "core/util/result.h"

#include <QString>

#include <atomic>

namespace rs {

class WdsReader {
public:
    // extractDir: where image members are copied (one subfolder per shard);
    // created when missing.
    WdsReader(const QString &tarPath, const QString &extractDir);

    // Streams every sample to sink in shard order. A sample without an image
    // or an unsafe member becomes an error item. A truncated or corrupt shard
    // yields the samples read so far, then one error item naming the archive
    // error (the sample in progress is dropped); the Status stays ok. Returns
    // an error only if the shard cannot be opened as an archive, extractDir
    // cannot be created, or cancel became true (Canceled).
    Status read(const SourceSink &sink, const std::atomic<bool> *cancel = nullptr);

    // The shard's name without its archive suffix: "00000" for "00000.tar.gz".
    static QString shardName(const QString &tarPath);

private:
    QString m_path;
    QString m_extractDir;
};

} // namespace rs
