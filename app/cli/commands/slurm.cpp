// realsyn slurm submit|status|resume DIR ...: the pipeline on a Slurm
// cluster; the chain of jobs is core/cluster/slurmchain.h's.

#include "app/cli/clisupport.h"
#include "app/cli/commands/commands.h"
#include "core/cluster/slurmchain.h"

#include <QCoreApplication>

namespace rs::cli {

namespace {

SlurmOptions optionsFrom(const QCommandLineParser &p)
{
    SlurmOptions o;
    o.until = p.value(QStringLiteral("until"));
    o.partition = p.value(QStringLiteral("partition"));
    o.account = p.value(QStringLiteral("account"));
    o.time = p.value(QStringLiteral("time"));
    o.cpusPerTask = p.value(QStringLiteral("cpus-per-task"));
    o.gpusPerTask = p.value(QStringLiteral("gpus-per-task"));
    o.dryRun = p.isSet(QStringLiteral("dry-run"));
    o.binary = QCoreApplication::applicationFilePath();
    return o;
}

void printQueued(const SlurmSubmission &s, bool dryRun)
{
    if (dryRun) {
        for (const QString &c : s.commands)
            print(c + QLatin1Char('\n'));
        return;
    }
    for (const SlurmJob &j : s.jobs)
        print(QStringLiteral("%1: job %2%3\n").arg(j.name, j.id, j.array.isEmpty() ? QString() : QStringLiteral(" (array %1)").arg(j.array)));
}

int submit(const QCommandLineParser &p, const QString &dir)
{
    bool ok = false;
    SlurmOptions o = optionsFrom(p);
    o.shards = p.value(QStringLiteral("shards")).toInt(&ok);
    if (!p.isSet(QStringLiteral("shards")) || !ok || o.shards < 1 || o.shards > 100000)
        return fail(QStringLiteral("slurm submit needs --shards N (1..100000)"), 2);
    auto s = submitToSlurm(dir, o);
    if (!s)
        return fail(s.error().toString(), s.error().code == ErrorCode::InvalidArgument ? 2 : 1);
    printQueued(*s, o.dryRun);
    print(QStringLiteral("run %1: scripts in %2\n").arg(s->runId, s->runDir));
    return 0;
}

// Shards done per sharded stage, from the manifests; the queue's view where
// squeue answers (it may not, and sacct errors with accounting off: status
// still exits 0).
int status(const QString &dir)
{
    auto st = slurmStatus(dir);
    if (!st)
        return fail(st.error());
    print(QStringLiteral("run %1 (%2 shards, until %3)\n").arg(st->runId).arg(st->shards).arg(st->until));
    for (const StageShards &s : std::as_const(st->stages))
        print(QStringLiteral("%1: %2 of %3 shards done%4%5\n")
                  .arg(s.stage)
                  .arg(s.done)
                  .arg(s.shards)
                  .arg(s.waiting.isEmpty() ? QString() : QStringLiteral(" (not yet: %1)").arg(s.waiting.join(QLatin1Char(','))))
                  .arg(s.merged ? QStringLiteral(", merged") : QString()));
    if (st->jobs.isEmpty())
        return 0;
    if (!st->queueAnswered) {
        print(QStringLiteral("queue: squeue did not answer\n"));
        return 0;
    }
    if (st->queue.isEmpty()) {
        print(QStringLiteral("queue: none of its jobs is pending or running\n"));
        return 0;
    }
    print(QStringLiteral("queue:\n"));
    for (const SlurmJobState &j : std::as_const(st->queue))
        print(QStringLiteral("%1 %2 %3\n").arg(j.id, j.name, j.state));
    return 0;
}

// Resubmits, for the latest submission, only the shards without a manifest
// of it (missing or failed, each with fresh retries) and what follows.
int resume(const QCommandLineParser &p, const QString &dir)
{
    const SlurmOptions o = optionsFrom(p);
    auto s = resumeOnSlurm(dir, o);
    if (!s)
        return fail(s.error());
    if (s->nothingToDo) {
        print(QStringLiteral("run %1: every stage it asked for is done; nothing to resume\n").arg(s->runId));
        return 0;
    }
    QStringList names;
    for (const SlurmJob &j : std::as_const(s->jobs))
        if (j.array.isEmpty() || j.name != s->from)
            names << j.name;
    print(s->resubmitted.isEmpty() ? QStringLiteral("resubmitting %1\n").arg(names.join(QStringLiteral(", ")))
                                   : QStringLiteral("resubmitting %1 shards %2, with %3\n")
                                         .arg(s->from, s->resubmitted.join(QLatin1Char(',')), names.join(QStringLiteral(", "))));
    printQueued(*s, o.dryRun);
    return 0;
}

int handleSlurm(const QCommandLineParser &p)
{
    const QStringList args = p.positionalArguments();
    if (args.size() != 2)
        return slurmCommand().usageError();
    if (args[0] == QLatin1String("submit"))
        return submit(p, args[1]);
    if (args[0] == QLatin1String("status"))
        return status(args[1]);
    if (args[0] == QLatin1String("resume"))
        return resume(p, args[1]);
    return fail(QStringLiteral("unknown slurm action '%1' (submit, status, resume)").arg(args[0]), 2);
}

} // namespace

const Command &slurmCommand()
{
    static const Command command{
        QStringLiteral("slurm"),
        QStringLiteral("submit|status|resume DIR [--shards N] [--until STAGE] [--partition P] [--account A] [--time T] [--cpus-per-task C] [--gpus-per-task G] [--dry-run]"),
        QStringLiteral("run the pipeline on a Slurm cluster: every stage's per-item work in N array tasks each (extract's probing, ground, embed's encoding, retrieve's queries, generate, sample's cluster assignment)"),
        {{QStringLiteral("ACTION"), QStringLiteral("submit, status or resume")}, {QStringLiteral("DIR"), QStringLiteral("project folder on a filesystem the nodes share")}},
        {{QStringLiteral("shards"), QStringLiteral("array tasks for the sharded stages"), QStringLiteral("N")},
         {QStringLiteral("until"), QStringLiteral("last stage (default: all)"), QStringLiteral("STAGE")},
         {QStringLiteral("partition"), QStringLiteral("sbatch --partition"), QStringLiteral("P")},
         {QStringLiteral("account"), QStringLiteral("sbatch --account"), QStringLiteral("A")},
         {QStringLiteral("time"), QStringLiteral("sbatch --time"), QStringLiteral("T")},
         {QStringLiteral("cpus-per-task"), QStringLiteral("sbatch --cpus-per-task"), QStringLiteral("C")},
         {QStringLiteral("gpus-per-task"), QStringLiteral("sbatch --gpus-per-task, for the embed array tasks"), QStringLiteral("G")},
         {QStringLiteral("dry-run"), QStringLiteral("write the scripts and print the sbatch commands; submit nothing")}},
        handleSlurm,
    };
    return command;
}

} // namespace rs::cli
