// realsyn slurm submit|status|resume DIR ...: the pipeline on a Slurm cluster.
//
// submit writes sbatch scripts under DIR/slurm/<run-id>/ and submits the
// whole chain at once, linked with --dependency=afterok (and
// --kill-on-invalid-dep=yes, so a failure cancels what depends on it):
//   extract        array of N: `realsyn run DIR --shard $i/N --until extract`
//                  (reading and decoding every image);
//   extract-merge  one job: `realsyn merge DIR --stage extract` (the filters
//                  and duplicate grouping need every image);
//   ground         array of N: `realsyn run DIR --shard $i/N --until ground`;
//   finish         one job: `realsyn merge DIR --stage ground`, then
//                  `realsyn run DIR --until UNTIL` for the global stages.
// Array tasks retry a failing shard up to 3 times in place. The scripts call
// this binary by its absolute path (it need not be on the nodes' PATH).
// Slurm options never enter the recipe, fingerprints or any output.

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

QString runEnv(const QString &runId)
{
    return QStringLiteral("export REALSYN_RUN_ID=%1\n").arg(runId);
}

// One array task per shard of a sharded stage. tasks: "0-7", or the shards
// a resume redoes ("1,5").
Script shardScript(const QString &stage, const QString &binary, const QString &projectDir, const QString &runId, int shards,
                   const QString &tasks)
{
    return {stage, tasks,
            runEnv(runId) + QStringLiteral("i=\"$SLURM_ARRAY_TASK_ID\"\n"
                                           "for attempt in %1; do\n"
                                           "  %2 run %3 --shard \"$i/%4\" --until %5 && exit 0\n"
                                           "  echo \"shard $i/%4: attempt $attempt failed\" >&2\n"
                                           "done\n"
                                           "exit 1\n")
                                .arg(QStringLiteral("1 2 3 4 5 6 7 8 9").left(2 * kAttempts - 1), shellQuote(binary), shellQuote(projectDir))
                                .arg(shards)
                                .arg(stage)};
}

// Merges a sharded stage, then runs on to `until` (the stage itself when
// more shards follow).
Script mergeScript(const QString &name, const QString &stage, const QString &binary, const QString &projectDir, const QString &runId,
                   int shards, const QString &until)
{
    return {name, {},
            runEnv(runId) + QStringLiteral("%1 merge %2 --stage %3 --shards %4 || exit 1\nexec %1 run %2 --until %5\n")
                                .arg(shellQuote(binary), shellQuote(projectDir), stage)
                                .arg(shards)
                                .arg(until)};
}

// The chain from `from` (a sharded stage) on: its array and merge, and the
// next sharded stage's when `until` reaches it. allTasks: every shard;
// firstTasks: the first stage's (a resume passes only the unfinished ones).
QVector<Script> chain(const QString &from, const QString &binary, const QString &projectDir, const QString &runId, int shards,
                      const QString &until, const QString &firstTasks)
{
    const QStringList stages = Pipeline::stageNames();
    const QString allTasks = QStringLiteral("0-%1").arg(shards - 1);
    QVector<Script> out;
    if (from == QLatin1String("extract")) {
        const bool more = stages.indexOf(until) >= stages.indexOf(QStringLiteral("ground"));
        out << shardScript(QStringLiteral("extract"), binary, projectDir, runId, shards, firstTasks)
            << mergeScript(more ? QStringLiteral("extract-merge") : QStringLiteral("finish"), QStringLiteral("extract"), binary, projectDir,
                           runId, shards, more ? QStringLiteral("extract") : until);
        if (!more)
            return out;
        out << shardScript(QStringLiteral("ground"), binary, projectDir, runId, shards, allTasks);
    } else {
        out << shardScript(QStringLiteral("ground"), binary, projectDir, runId, shards, firstTasks);
    }
    out << mergeScript(QStringLiteral("finish"), QStringLiteral("ground"), binary, projectDir, runId, shards, until);
    return out;
}

// Writes each script under runDir and submits it depending on the one
// before (the first on `after`, when given). Appends {name, id, array} to
// *jobs. Returns the exit status.
int queue(const QCommandLineParser &p, const QString &runDir, const QVector<Script> &scripts, const QString &after, QJsonArray *jobs)
{
    const QString logDir = runDir + QStringLiteral("/logs");
    if (!QDir().mkpath(logDir))
        return fail(QStringLiteral("cannot create %1").arg(logDir));
    QString previous = after;
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
        if (!s.array.isEmpty() && p.isSet(QStringLiteral("gpus-per-task")))
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
            if (!jobs->isEmpty())
                std::fprintf(stderr, "jobs already queued by this submission: %s (scancel them, or let the chain cancel itself)\n",
                             QJsonDocument(*jobs).toJson(QJsonDocument::Compact).constData());
            return fail(id.error());
        }
        previous = *id;
        jobs->append(QJsonObject{{QStringLiteral("name"), s.name}, {QStringLiteral("id"), *id}, {QStringLiteral("array"), s.array}});
        print(QStringLiteral("%1: job %2%3\n").arg(s.name, *id, s.array.isEmpty() ? QString() : QStringLiteral(" (array %1)").arg(s.array)));
    }
    return 0;
}

bool writeRun(const QString &runDir, const QJsonObject &run)
{
    QSaveFile record(runDir + QStringLiteral("/jobs.json"));
    if (!record.open(QIODevice::WriteOnly))
        return false;
    record.write(QJsonDocument(run).toJson());
    return record.commit();
}

// The latest submission of a project: its folder name and jobs.json.
Result<QPair<QString, QJsonObject>> latestRun(const QString &projectDir)
{
    QDir runs(QDir(projectDir).filePath(QStringLiteral("slurm")));
    const QStringList names = runs.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    if (names.isEmpty())
        return makeError(ErrorCode::NotFound, QStringLiteral("no Slurm submission in %1 (realsyn slurm submit)").arg(projectDir));
    QFile f(runs.filePath(names.constLast() + QStringLiteral("/jobs.json")));
    const QJsonObject run = f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject();
    if (run.value(QStringLiteral("shards")).toInt() < 1)
        return makeError(ErrorCode::ParseError, QStringLiteral("the submission record is missing or damaged"), f.fileName());
    return qMakePair(names.constLast(), run);
}

// Shards of the run that have no manifest of this run (missing or failed).
QStringList unfinishedShards(const QString &projectDir, const QString &stage, const QString &runId, int shards)
{
    QStringList out;
    for (int i = 0; i < shards; ++i) {
        auto m = ShardManifest::read(shardDir(projectDir, i, stage), ShardSpec{i, shards});
        if (!m || m->runId != runId)
            out << QString::number(i);
    }
    return out;
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
    const QVector<Script> scripts = chain(QStringLiteral("extract"), binary, projectDir, runId, shards, until, QStringLiteral("0-%1").arg(shards - 1));
    QJsonArray jobs;
    if (int code = queue(p, runDir, scripts, {}, &jobs); code != 0)
        return code;
    if (!writeRun(runDir, QJsonObject{{QStringLiteral("run_id"), runId},
                                      {QStringLiteral("shards"), shards},
                                      {QStringLiteral("until"), until},
                                      {QStringLiteral("dry_run"), p.isSet(QStringLiteral("dry-run"))},
                                      {QStringLiteral("jobs"), jobs}}))
        return fail(QStringLiteral("cannot write %1/jobs.json").arg(runDir));
    print(QStringLiteral("run %1: scripts in %2\n").arg(runId, runDir));
    return 0;
}

// Shards done per sharded stage, from the manifests; the queue's view where
// squeue answers (it may not, and sacct errors with accounting off: status
// still exits 0).
int status(const QString &dir)
{
    const QString projectDir = QFileInfo(dir).absoluteFilePath();
    auto latest = latestRun(projectDir);
    if (!latest)
        return fail(latest.error());
    const auto &[runId, run] = *latest;
    const int shards = run.value(QStringLiteral("shards")).toInt();
    print(QStringLiteral("run %1 (%2 shards, until %3)\n").arg(runId).arg(shards).arg(run.value(QStringLiteral("until")).toString()));
    const QStringList stages = Pipeline::stageNames();
    const QString until = run.value(QStringLiteral("until")).toString();
    for (const QString &stage : shardableStages()) {
        if (stages.indexOf(stage) > stages.indexOf(until))
            break;
        const QStringList waiting = unfinishedShards(projectDir, stage, runId, shards);
        print(QStringLiteral("%1: %2 of %3 shards done%4\n")
                  .arg(stage)
                  .arg(shards - waiting.size())
                  .arg(shards)
                  .arg(waiting.isEmpty() ? QString() : QStringLiteral(" (not yet: %1)").arg(waiting.join(QLatin1Char(',')))));
    }
    QStringList ids;
    for (const QJsonValue &j : run.value(QStringLiteral("jobs")).toArray())
        ids << j.toObject().value(QStringLiteral("id")).toString();
    ids.removeAll(QString());
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

// Resubmits, for the latest submission, only the shards without a manifest
// of it (missing or failed, each with fresh retries) and the finish job.
int resume(const QCommandLineParser &p, const QString &dir)
{
    const QString projectDir = QFileInfo(dir).absoluteFilePath();
    auto latest = latestRun(projectDir);
    if (!latest)
        return fail(latest.error());
    auto [runId, run] = *latest;
    const int shards = run.value(QStringLiteral("shards")).toInt();
    const QString until = run.value(QStringLiteral("until")).toString();
    auto project = openWithRecipe(dir, ProjectStore::Access::ReadOnly);
    if (!project)
        return fail(project.error());
    // The first sharded stage not merged yet is where the chain broke.
    Pipeline pipeline;
    const bool extracted = pipeline.state(QStringLiteral("extract"), *project->store, project->recipe) == StageState::Done;
    project->store.reset();
    const QString from = extracted ? QStringLiteral("ground") : QStringLiteral("extract");
    const QStringList stages = Pipeline::stageNames();
    if (stages.indexOf(from) > stages.indexOf(until)) {
        print(QStringLiteral("run %1 went up to %2 and that is done: nothing to resume\n").arg(runId, until));
        return 0;
    }
    const QStringList missing = unfinishedShards(projectDir, from, runId, shards);
    const QString binary = QCoreApplication::applicationFilePath();
    QVector<Script> scripts = chain(from, binary, projectDir, runId, shards, until, missing.join(QLatin1Char(',')));
    if (missing.isEmpty())
        scripts.removeFirst(); // every shard of `from` is done: only the merge and what follows
    QJsonArray jobs = run.value(QStringLiteral("jobs")).toArray();
    const QString runDir = QDir(projectDir).filePath(QStringLiteral("slurm/") + runId);
    QStringList names;
    for (const Script &sc : scripts)
        names << sc.name;
    print(missing.isEmpty() ? QStringLiteral("every %1 shard is done; resubmitting %2\n").arg(from, names.join(QStringLiteral(", ")))
                            : QStringLiteral("resubmitting %1 shards %2, then %3\n").arg(from, missing.join(QLatin1Char(',')), names.mid(1).join(QStringLiteral(", "))));
    if (int code = queue(p, runDir, scripts, {}, &jobs); code != 0)
        return code;
    run.insert(QStringLiteral("jobs"), jobs);
    if (!writeRun(runDir, run))
        return fail(QStringLiteral("cannot write %1/jobs.json").arg(runDir));
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
        QStringLiteral("run the pipeline on a Slurm cluster: extract's probing and ground in N array tasks each"),
        {{QStringLiteral("ACTION"), QStringLiteral("submit, status or resume")}, {QStringLiteral("DIR"), QStringLiteral("project folder on a filesystem the nodes share")}},
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
