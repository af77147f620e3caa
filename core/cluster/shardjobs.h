#pragma once
// The two halves of a sharded stage (issue 14): a shard job does the
// per-item work of its shard into a shard store of its own, and a merge
// folds every finished shard store into the main project and then runs the
// stage there as usual. The stage run in the merge finds every item's work
// already done (each stage's per-item results are keyed by their inputs'
// hash), so the main project ends exactly as a single-machine run would:
// the same code decides, only the expensive part was spread out.
//
// Sharded so far: `extract`'s probing (reading and decoding every image:
// size, format, SHA-256, perceptual hash; the filters and duplicate
// grouping stay global, in the merge), `ground` (OCR, faces and quality
// per image) and `embed`'s encoding (every kept image and sentence; the
// built-in encoder is fitted once on its deterministic sample by a barrier
// job before the shards, see prepareShardedStage, and the near-duplicate
// pairs stay global, in the merge), and `retrieve`'s queries (the sentence
// k-means index is built once by a barrier job and saved; each shard answers
// for its kept images against the whole pool; nothing global follows the
// queries, so its merge records the stage done itself) and `generate`
// (tags, caption, text and similarity per image; the tag calibration on
// held-out images is made once by the barrier and stored, and the stage run
// in the merge reuses every text) and `sample`'s cluster assignment (the
// image k-means centres are trained once on a seeded sample by the barrier;
// the band and the per-cluster cap stay global, in the merge).
// `shardableStages()` lists what may be given to `realsyn run --shard`:
// every stage.
//
// A shard job opens the main project read-only and never takes its lock, so
// many run at once; a merge takes the lock like any writer.

#include "core/cluster/sharding.h"
#include "core/util/jobcontext.h"
#include "core/util/result.h"

#include <QStringList>

namespace rs {

class ProjectStore;
class Recipe;

QStringList shardableStages();

// Runs shard spec's part of `stage` for the project at projectDir into
// shards/<i>/<stage>/ (made afresh), and writes its manifest last. The stages
// before `stage` must be done in the main project (the submission runs them
// first). runId names the submission in the manifest.
Result<ShardManifest> runShard(const QString &projectDir, const QString &stage, const ShardSpec &spec,
                               const QString &runId, JobContext &ctx);

// The barrier before a sharded stage's shards, run in the main project
// (opened for writing): the stages before `stage`, then what every shard of
// it needs decided globally first (embed: fitting the built-in encoder on
// its sample; retrieve: the sentence k-means index; generate: the tag
// calibration; sample: the image k-means centres).
// `realsyn run DIR --prepare STAGE`.
Status prepareShardedStage(ProjectStore &store, const Recipe &recipe, const QString &stage, JobContext &ctx);

// What a finished shard of `stage` must have been made from to be used
// now: the recipe fingerprint of its stages, and its inputs beyond the
// recipe — the verdicts of the stages before it (a re-ingest or a curator's
// keeper changes them) and, for embed, the encoder fit the barrier job
// saved. A shard made from anything else is stale: `slurm resume` and
// `slurm status` count it as unfinished, and merge refuses it.
struct ShardExpectation {
    QString stage, fingerprint, inputs;
    // Empty when `m` may be used; else why not, for a message.
    QString whyStale(const ShardManifest &m) const;
};
Result<ShardExpectation> expectedShard(ProjectStore &store, const Recipe &recipe, const QString &stage);

struct MergeReport {
    int shards = 0;
    qint64 items = 0;      // items the shards handled
    QStringList missing;   // "i: why" for shards without a usable manifest
};

// Folds the finished shards of `stage` into store (the main project, opened
// for writing) in one transaction. `shards` is N; 0 reads it from shard 0's
// manifest. Fails with Conflict, naming them, when a shard is missing, was
// made for other settings, or its store no longer matches its manifest;
// then nothing is merged.
Result<MergeReport> mergeShards(ProjectStore &store, const QString &projectDir, const Recipe &recipe,
                                const QString &stage, int shards, JobContext &ctx);

} // namespace rs
