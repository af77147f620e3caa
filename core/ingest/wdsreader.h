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
// larger than WdsLimits::maxMemberBytes (sparse holes included) is not read;
// its ImageRef is refused as "too_large". A shard with more members than
// WdsLimits::maxMembers, or one that inflates more than maxExpansion times
// its compressed size (a decompression bomb), is read up to that point and
// then stopped with one error item: what was read is kept, nothing more is
// written into extractDir.
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

// Limits on one shard (the recipe's ingest.max_member_bytes,
// ingest.max_tar_members and ingest.max_expansion).
struct WdsLimits {
    qint64 maxMemberBytes = 256LL * 1024 * 1024; // largest image member copied out
    qint64 maxMembers = 1000000;                 // members read per shard
    // Decompressed bytes per compressed byte. Image members are compressed
    // already, so real shards stay near 1; gzip of zeros reaches ~1000.
    double maxExpansion = 100.0;
    // Bytes a shard may inflate before the ratio is checked, so that small
    // shards of text members (which do compress well) are never refused.
    qint64 expansionSlackBytes = 64LL * 1024 * 1024;
};

class WdsReader {
public:
    // extractDir: where image members are copied (one subfolder per shard);
    // created when missing.
    WdsReader(const QString &tarPath, const QString &extractDir, WdsLimits limits = {});

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
    WdsLimits m_limits;
};

} // namespace rs
