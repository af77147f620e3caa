// realsyn slurm submit|status DIR ...: the pipeline on a Slurm cluster.
//
// submit writes sbatch scripts under DIR/slurm/<run-id>/ and submits the
// whole chain at once, linked with --dependency=afterok (and
// --kill-on-invalid-dep=yes, so a failure cancels what depends on it):
//   prepare  one job: `realsyn run DIR --until extract` (stage 1 is global:
//            duplicate grouping needs every image);
//   ground   an array of N tasks: `realsyn run DIR --shard $i/N --until ground`,
//            each retried up to 3 times in place;
//   finish   one job: `realsyn merge DIR --stage ground` and then
//            `realsyn run DIR --until UNTIL` for the global stages.
// The scripts call this binary by its absolute path (it need not be on the
// nodes' PATH). Slurm options never enter the recipe, fingerprints or output.

#include "app/cli/clisupport.h"
#include "app/cli/commands/commands.h"
#include "core/cluster/shardjobs.h"
#include "core/pipeline/pipeline.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QSaveFile>

namespace rs::cli {

namespace {

constexpr int kAttempts = 3; // per array task, in place

// Single-quoted for sh, whatever the path holds.
QString shellQuote(const QString &s)
{
    QString out = s;
    out.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + out + QLatin1Char('\'');
}

struct Script {
    QString name;       // prepare | ground | finish
    QString array;      // "0-7" for the array, else empty
    QString body;       // shell lines after the #SBATCH header
};

QString header(const QCommandLineParser &p, const QString &jobName, const QString &logDir, bool array)
{
    QStringList lines{QStringLiteral("#!/bin/sh"),
                      QStringLiteral("#SBATCH --job-name=%1").arg(jobName),
                      QStringLiteral("#SBATCH --output=%1/%2").arg(logDir, array ? QStringLiteral("%x-%A_%a.out") : QStringLiteral("%x-%j.out"))};
    for (const char *option : {"partition", "account", "time", "cpus-per-task"})
        if (p.isSet(QLatin1String(option)))
            lines << QStringLiteral("#SBATCH --%1=%2").arg(QLatin1String(option), p.value(QLatin1String(option)));
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

// sbatch --parsable: "<jobid>[;cluster]".
Result<QString> sbatch(const QStringList &args)
{
    QProcess proc;
    proc.start(QStringLiteral("sbatch"), args);
    if (!proc.waitForStarted(10000))
        return makeError(ErrorCode::NotFound, QStringLiteral("sbatch could not be started (is Slurm's client installed and on PATH?)"));
    if (!proc.waitForFinished(120000))
        return makeError(ErrorCode::IoError, QStringLiteral("sbatch did not answer within 2 minutes (is the controller reachable?)"));
    const QString out = QString::fromUtf8(proc.readAllStandardOutput()).trimmed();
    const QString err = QString::fromUtf8(proc.readAllStandardError()).trimmed();
    if (proc.exitStatus() != QProcess::NormalExit || proc.exitCode() != 0 || out.isEmpty())
        return makeError(ErrorCode::IoError, QStringLiteral("sbatch failed: ") + (err.isEmpty() ? out : err));
    return out.section(QLatin1Char(';'), 0, 0);
}

int submit(const QCommandLineParser &p, const QString &dir)
{
    bool ok = false;
    const int shards = p.value(QStringLiteral("shards")).toInt(&ok);
    if (!p.isSet(QStringLiteral("shards")) || !ok || shards < 1 || shards > 100000)
        return fail(QStringLiteral("slurm submit needs --shards N (1..100000)"), 2);
    const QString until = p.isSet(QStringLiteral("until")) ? p.value(QStringLiteral("until")) : Pipeline::stageNames().constLast();
    if (!Pipeline::stageNames().contains(until))
        return fail(QStringLiteral("unknown stage '%1' (stages: %2)").arg(until, Pipeline::stageNames().join(QStringLiteral(", "))), 2);
    // Checked here, not by the first job on the cluster: a project that
    // cannot be opened fails the submission with nothing queued.
    auto project = openWithRecipe(dir, ProjectStore::Access::ReadOnly);
    if (!project)
        return fail(project.error());
    project->store.reset();

    const QString projectDir = QFileInfo(dir).absoluteFilePath();
    const QString binary = QCoreApplication::applicationFilePath();
    const QString runId = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss-"))
        + QString::number(QRandomGenerator::global()->bounded(0x10000), 16).rightJustified(4, QLatin1Char('0'));
    const QString runDir = QDir(projectDir).filePath(QStringLiteral("slurm/") + runId);
    const QString logDir = runDir + QStringLiteral("/logs");
    if (!QDir().mkpath(logDir))
        return fail(QStringLiteral("cannot create %1").arg(logDir));

    const QString rs = shellQuote(binary), pd = shellQuote(projectDir);
    const QString env = QStringLiteral("export REALSYN_RUN_ID=%1\n").arg(runId);
    const int stageIndex = Pipeline::stageNames().indexOf(until);
    const bool sharded = stageIndex >= Pipeline::stageNames().indexOf(QStringLiteral("ground"));
    QVector<Script> scripts;
    scripts.push_back({QStringLiteral("prepare"), {}, env + QStringLiteral("exec %1 run %2 --until extract\n").arg(rs, pd)});
    if (sharded) {
        scripts.push_back({QStringLiteral("ground"), QStringLiteral("0-%1").arg(shards - 1),
                           env + QStringLiteral("i=\"$SLURM_ARRAY_TASK_ID\"\n"
                                                "for attempt in %1; do\n"
                                                "  %2 run %3 --shard \"$i/%4\" --until ground && exit 0\n"
                                                "  echo \"shard $i/%4: attempt $attempt failed\" >&2\n"
                                                "done\n"
                                                "exit 1\n")
                                     .arg(QStringLiteral("1 2 3 4 5 6 7 8 9").left(2 * kAttempts - 1), rs, pd)
                                     .arg(shards)});
        scripts.push_back({QStringLiteral("finish"), {},
                           env + QStringLiteral("%1 merge %2 --stage ground --shards %3 || exit 1\nexec %1 run %2 --until %4\n")
                                     .arg(rs, pd)
                                     .arg(shards)
                                     .arg(until)});
    }

    QJsonArray jobs;
    QString previous;
    const bool dryRun = p.isSet(QStringLiteral("dry-run"));
    for (const Script &s : scripts) {
        const QString path = runDir + QLatin1Char('/') + s.name + QStringLiteral(".sbatch");
        QSaveFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return fail(QStringLiteral("cannot write %1: %2").arg(path, f.errorString()));
        f.write((header(p, QStringLiteral("realsyn-") + s.name, logDir, !s.array.isEmpty()) + s.body).toUtf8());
        if (!f.commit())
            return fail(QStringLiteral("cannot write %1: %2").arg(path, f.errorString()));
        QFile::setPermissions(path, QFile::permissions(path) | QFileDevice::ExeOwner);

        QStringList args{QStringLiteral("--parsable")};
        if (!s.array.isEmpty())
            args << QStringLiteral("--array=") + s.array;
        if (s.name == QLatin1String("ground") && p.isSet(QStringLiteral("gpus-per-task")))
            args << QStringLiteral("--gpus-per-task=") + p.value(QStringLiteral("gpus-per-task"));
        if (!previous.isEmpty())
            args << QStringLiteral("--dependency=afterok:") + previous << QStringLiteral("--kill-on-invalid-dep=yes");
        args << path;
        if (dryRun) {
            print(QStringLiteral("sbatch %1\n").arg(args.join(QLatin1Char(' '))));
            previous = QStringLiteral("<%1>").arg(s.name);
            continue;
        }
        auto id = sbatch(args);
        if (!id) {
            if (!jobs.isEmpty())
                std::fprintf(stderr, "jobs already queued by this submission: %s (scancel them, or let the chain cancel itself)\n",
                             QJsonDocument(jobs).toJson(QJsonDocument::Compact).constData());
            return fail(id.error());
        }
        previous = *id;
        jobs.append(QJsonObject{{QStringLiteral("name"), s.name}, {QStringLiteral("id"), *id}, {QStringLiteral("array"), s.array}});
        print(QStringLiteral("%1: job %2%3\n").arg(s.name, *id, s.array.isEmpty() ? QString() : QStringLiteral(" (array %1)").arg(s.array)));
    }
    QSaveFile record(runDir + QStringLiteral("/jobs.json"));
    if (record.open(QIODevice::WriteOnly)) {
        record.write(QJsonDocument(QJsonObject{{QStringLiteral("run_id"), runId},
                                               {QStringLiteral("shards"), shards},
                                               {QStringLiteral("until"), until},
                                               {QStringLiteral("dry_run"), dryRun},
                                               {QStringLiteral("jobs"), jobs}})
                         .toJson());
        (void)record.commit();
    }
    print(QStringLiteral("run %1: scripts in %2\n").arg(runId, runDir));
    return 0;
}

// Shards done per sharded stage, from the manifests; the queue's view where
// squeue answers (it may not: status still exits 0).
int status(const QString &dir)
{
    const QString projectDir = QFileInfo(dir).absoluteFilePath();
    QDir runs(QDir(projectDir).filePath(QStringLiteral("slurm")));
    const QStringList names = runs.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    if (names.isEmpty())
        return fail(QStringLiteral("no Slurm submission in %1 (realsyn slurm submit)").arg(projectDir));
    QFile f(runs.filePath(names.constLast() + QStringLiteral("/jobs.json")));
    const QJsonObject run = f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject();
    const int shards = run.value(QStringLiteral("shards")).toInt();
    print(QStringLiteral("run %1 (%2 shards, until %3)\n").arg(names.constLast()).arg(shards).arg(run.value(QStringLiteral("until")).toString()));
    int done = 0;
    QStringList waiting;
    for (int i = 0; i < shards; ++i) {
        auto m = ShardManifest::read(shardDir(projectDir, i), ShardSpec{i, shards});
        if (m && m->runId == names.constLast())
            ++done;
        else
            waiting << QString::number(i);
    }
    print(QStringLiteral("ground: %1 of %2 shards done%3\n")
              .arg(done)
              .arg(shards)
              .arg(waiting.isEmpty() ? QString() : QStringLiteral(" (not yet: %1)").arg(waiting.join(QLatin1Char(',')))));
    QStringList ids;
    for (const QJsonValue &j : run.value(QStringLiteral("jobs")).toArray())
        ids << j.toObject().value(QStringLiteral("id")).toString();
    if (!ids.isEmpty()) {
        QProcess q;
        q.start(QStringLiteral("squeue"), {QStringLiteral("-h"), QStringLiteral("-j"), ids.join(QLatin1Char(',')), QStringLiteral("-o"), QStringLiteral("%i %j %T")});
        if (q.waitForFinished(30000) && q.exitStatus() == QProcess::NormalExit && q.exitCode() == 0) {
            const QString queued = QString::fromUtf8(q.readAllStandardOutput()).trimmed();
            print(queued.isEmpty() ? QStringLiteral("queue: none of its jobs is pending or running\n") : QStringLiteral("queue:\n") + queued + QLatin1Char('\n'));
        } else {
            print(QStringLiteral("queue: squeue did not answer\n"));
        }
    }
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
    return fail(QStringLiteral("unknown slurm action '%1' (submit, status)").arg(args[0]), 2);
}

} // namespace

const Command &slurmCommand()
{
    static const Command command{
        QStringLiteral("slurm"),
        QStringLiteral("submit|status DIR [--shards N] [--until STAGE] [--partition P] [--account A] [--time T] [--cpus-per-task C] [--gpus-per-task G] [--dry-run]"),
        QStringLiteral("run the pipeline on a Slurm cluster: ground in N array tasks, the rest in single jobs"),
        {{QStringLiteral("ACTION"), QStringLiteral("submit or status")}, {QStringLiteral("DIR"), QStringLiteral("project folder on a filesystem the nodes share")}},
        {{QStringLiteral("shards"), QStringLiteral("array tasks for the sharded stages"), QStringLiteral("N")},
         {QStringLiteral("until"), QStringLiteral("last stage (default: all)"), QStringLiteral("STAGE")},
         {QStringLiteral("partition"), QStringLiteral("sbatch --partition"), QStringLiteral("P")},
         {QStringLiteral("account"), QStringLiteral("sbatch --account"), QStringLiteral("A")},
         {QStringLiteral("time"), QStringLiteral("sbatch --time"), QStringLiteral("T")},
         {QStringLiteral("cpus-per-task"), QStringLiteral("sbatch --cpus-per-task"), QStringLiteral("C")},
         {QStringLiteral("gpus-per-task"), QStringLiteral("sbatch --gpus-per-task, for the array tasks"), QStringLiteral("G")},
         {QStringLiteral("dry-run"), QStringLiteral("write the scripts and print the sbatch commands; submit nothing")}},
        handleSlurm,
    };
    return command;
}

} // namespace rs::cli
