#pragma once
// Streaming reader for WebDataset tar shards as img2dataset writes them:
// members `{key}.jpg|jpeg|png|webp`, `{key}.txt` and `{key}.json`, where key
// is the member path up to the first '.' of its base name and the members of
// one key are consecutive. Each key becomes one Document holding one image
// and its caption (from .txt, else the json "caption") as a Caption block
// and as ImageRef::caption. Plain tar and compressed tar (.tar.gz, ...) are
// read through libarchive, one member at a time, never the whole shard.
//
// Image bytes are copied to extractDir/<shard id>/<member path> so later
// stages can read them as files; ImageRef::localPath is that copy. The shard
// id is the shard's name without its archive suffix plus a short hash of its
// canonical path ("00000-1a2b3c4d"), so two shards with one file name in
// different folders never share a folder or a document key. An image member
// larger than maxMemberBytes (sparse holes included) is not read; its
// ImageRef is refused as "too_large".
//
// Member names that are not valid UTF-8 keep their bytes: each byte of an
// invalid sequence is written as %XX, so two such names never collapse into
// one sample.
// Members are never trusted: a name that is absolute or contains ".." is
// skipped and recorded as an error item; a symlink, hardlink or other
// non-regular image member is never followed or written and its ImageRef is
// refused as "outside_corpus".
//
// Document keys are "wds:<shard id>/<key>"; item locations are
// "<shard file name>:<key or member>".
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
    // maxMemberBytes: the largest image member copied out (the recipe's
    // ingest.max_member_bytes).
    WdsReader(const QString &tarPath, const QString &extractDir, qint64 maxMemberBytes = kDefaultMaxMemberBytes);

    static constexpr qint64 kDefaultMaxMemberBytes = 256LL * 1024 * 1024;

    // Streams every sample to sink in shard order. A sample without an image
    // or an unsafe member becomes an error item. A truncated or corrupt shard
    // yields the samples read so far, then one error item naming the archive
    // error (the sample in progress is dropped); the Status stays ok. Returns
    // an error only if the shard cannot be opened as an archive, extractDir
    // cannot be created, or cancel became true (Canceled).
    Status read(const SourceSink &sink, const std::atomic<bool> *cancel = nullptr);

    // The shard's name without its archive suffix: "00000" for "00000.tar.gz".
    static QString shardName(const QString &tarPath);
    // shardName() + "-" + 8 hex digits of SHA-1 of the canonical path (the
    // absolute path when the file does not exist).
    static QString shardId(const QString &tarPath);

private:
    QString m_path;
    QString m_extractDir;
    qint64 m_maxMemberBytes;
};

} // namespace rs
