#pragma once
// Shards of a project for scale-out (issue 14): which shard an item belongs
// to, where a shard job writes, and the completion manifest that says a
// shard store is whole.
//
// A project stays one folder on a shared filesystem. Shard jobs never write
// the main project.sqlite (SQLite with concurrent writers over NFS is
// unsafe): shard i of N writes only under shards/<i>/<stage>/, its own SQLite file
// and side files, and last of all its manifest. A merge step reads only
// shards whose manifest is present and matches the store it names, so a
// shard job killed at any point leaves nothing that a merge would take.
//
// Thread-safety: free functions and value types; no shared state.

#include "core/util/result.h"

#include <QJsonObject>
#include <QString>

namespace rs {

// Shard of an item key among `shards`, stable under adding items: the key
// is hashed (SHA-256 of its UTF-8), and the hash is mapped with jump
// consistent hashing (Lamping & Veach 2014), so that going from N to N+1
// shards moves only about 1/(N+1) of the keys and every key's shard for a
// given N never changes. shards must be >= 1.
int shardOf(const QString &key, int shards);

// "i/N" as given to `realsyn run --shard`: 0 <= i < N, 1 <= N <= 100000.
struct ShardSpec {
    int index = 0;
    int count = 1;
    static Result<ShardSpec> parse(const QString &text);
    QString toString() const; // "i/N"
};

// The folder of shard i of a project: PROJECT/shards/<i>; with a stage,
// where that stage's shard job writes: PROJECT/shards/<i>/<stage>.
QString shardDir(const QString &projectDir, int index);
QString shardDir(const QString &projectDir, int index, const QString &stage);

// Written as PROJECT/shards/<i>/<stage>/manifest.json when a shard job has finished
// and its store is closed. The store's SHA-256 ties the manifest to the
// exact bytes it describes: a store written again after the manifest (or cut
// short) no longer matches and the shard counts as missing.
struct ShardManifest {
    // 2: `inputs` added. A manifest of format 1 reads as unfinished, so
    // resume runs that shard again rather than trusting it.
    static constexpr int kFormat = 2;

    QString runId;      // the submission this shard belongs to
    QString stage;      // the last stage the shard job ran (its --until)
    int index = 0;      // i of i/N
    int count = 1;      // N
    QString fingerprint; // the recipe fingerprint of the stages the shard ran
    QString inputs;      // what else its results depend on (shardjobs.h: ShardExpectation)
    qint64 items = 0;   // items the shard job handled
    QString store;      // file name of the shard store, relative to the shard folder
    QString storeSha256;

    QJsonObject toJson() const;
    static Result<ShardManifest> fromJson(const QJsonObject &json);

    // Hashes dir/store, then writes dir/manifest.json atomically.
    Status write(const QString &dir);
    // Reads dir/manifest.json and checks it against the store it names and
    // against the expected shard (index/count). Errors: NotFound (no
    // manifest: the shard has not finished), ParseError (malformed or of
    // another format), Conflict (another shard, count or a store whose bytes
    // no longer match).
    static Result<ShardManifest> read(const QString &dir, const ShardSpec &expected);
};

} // namespace rs
