#pragma once
// The pipeline as a chain of Slurm jobs (issue 14): what `realsyn slurm
// submit|status|resume` and the studio's pipeline panel both call.
//
// submitToSlurm writes sbatch scripts under PROJECT/slurm/<run-id>/ and
// submits the whole chain at once, each job depending on the one before
// with --dependency=afterok and --kill-on-invalid-dep=yes (a failure
// cancels what follows):
//   extract        array of N: `realsyn run DIR --shard $i/N --until extract`
//                  (reading and decoding every image);
//   extract-merge  `realsyn merge DIR --stage extract` (the filters and
//                  duplicate grouping need every image), then
//                  `realsyn run DIR --prepare ground`;
//   ground         array of N: OCR, faces, quality per image;
//   ground-merge   merge ground, then `run --prepare embed` (sentence
//                  decisions and the built-in encoder fitted once on its
//                  deterministic sample);
//   embed          array of N: encoding the shard's images and sentences;
//   finish         merge embed (near-duplicate pairs are global), then
//                  `realsyn run DIR --until UNTIL` for the global stages.
// A shorter `until` ends the chain earlier. Array tasks retry a failing
// shard up to kShardAttempts times in place. The scripts call the given
// realsyn binary by its absolute path (it need not be on the nodes' PATH).
// Slurm options never enter the recipe, fingerprints or any output; they
// are kept in the run's jobs.json so a resume queues with the same ones.
//
// Thread-safety: free functions; each runs sbatch/squeue synchronously
// (seconds), so a GUI calls them off its thread.

#include "core/util/result.h"

#include <QString>
#include <QStringList>
#include <QVector>

namespace rs {

constexpr int kShardAttempts = 3;

struct SlurmOptions {
    int shards = 0;      // N, 1..100000 (submit; a resume keeps the run's)
    QString until;       // last stage; empty: the last one
    QString partition;   // sbatch options; empty: not passed (never hard-coded)
    QString account;
    QString time;
    QString cpusPerTask;
    QString gpusPerTask; // only for the embed array (a CUDA libtorch encoder)
    bool dryRun = false; // write the scripts, list the sbatch commands, submit nothing
    QString binary;      // absolute path of the realsyn CLI the jobs run
};

struct SlurmJob {
    QString name;  // extract, extract-merge, ..., finish
    QString id;    // Slurm job id; "<name>" in a dry run
    QString array; // "0-15", or the shards a resume redoes; empty: single job
};

struct SlurmSubmission {
    QString runId;
    QString runDir;
    QString from;            // resume: the sharded stage it restarts at (empty: none)
    QStringList resubmitted; // resume: the shards of `from` queued again
    QVector<SlurmJob> jobs;  // queued now, in order
    QStringList commands;    // the sbatch command lines (what a dry run shows)
    bool nothingToDo = false; // resume: every stage up to `until` is done
};

// Submits the whole chain for the project folder (absolute or relative).
// Errors: InvalidArgument (bad options), NotFound (sbatch missing), IoError
// (sbatch failed or the controller did not answer; the message names jobs
// queued before the failure), or the project's own error when it cannot be
// opened (then nothing is queued).
Result<SlurmSubmission> submitToSlurm(const QString &projectDir, SlurmOptions options);

// Resubmits, for the latest submission, only what is left: the first
// sharded stage that is not done, its shards without a manifest of this run
// (missing, failed or killed; each with fresh retries), its barrier and
// everything after. `options` gives the binary and dryRun; the sbatch
// options are the run's unless given again there.
Result<SlurmSubmission> resumeOnSlurm(const QString &projectDir, const SlurmOptions &options);

struct StageShards {
    QString stage;
    int done = 0;           // shards with a manifest of this run
    int shards = 0;
    QStringList waiting;    // shard indices without one
    bool merged = false;    // the stage is done in the main project
};

struct SlurmJobState {
    QString id;    // "123" or "123_4" for an array task
    QString name;  // realsyn-<job name>
    QString state; // squeue's: PENDING, RUNNING, ...
};

struct SlurmRunStatus {
    QString runId;
    int shards = 0;
    QString until;
    QVector<StageShards> stages; // the sharded stages up to `until`
    bool queueAnswered = false;  // squeue answered (it may not: status still works from the manifests)
    QVector<SlurmJobState> queue; // its jobs still pending or running
    QVector<SlurmJob> jobs;      // every job the run queued (submit and resumes)
};

// The latest submission's progress: shards done per sharded stage from the
// manifests, and the queue from squeue where it answers. NotFound when the
// project has no submission.
Result<SlurmRunStatus> slurmStatus(const QString &projectDir);

} // namespace rs
