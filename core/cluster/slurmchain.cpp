#include "core/cluster/slurmchain.h"

#include "core/cluster/shardjobs.h"
#include "core/pipeline/pipeline.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QSaveFile>

#include <memory>
#include <optional>

namespace rs {

namespace {

constexpr int kMaxShards = 100000;

// Single-quoted for sh, whatever the path holds.
QString shellQuote(const QString &s)
{
    QString out = s;
    out.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + out + QLatin1Char('\'');
}

struct Script {
    QString name;  // extract | extract-merge | ... | finish
    QString array; // "0-7" for an array, else empty
    QString body;  // shell lines after the #SBATCH header
};

// The chain's fixed facts, the same for every script of a run.
struct ChainContext {
    QString binary, projectDir, runId;
    int shards = 1;
};

QString header(const SlurmOptions &o, const QString &jobName, const QString &logDir, bool array)
{
    QStringList lines{QStringLiteral("#!/bin/sh"),
                      QStringLiteral("#SBATCH --job-name=%1").arg(jobName),
                      QStringLiteral("#SBATCH --output=%1/%2").arg(logDir, array ? QStringLiteral("%x-%A_%a.out") : QStringLiteral("%x-%j.out"))};
    const QPair<const char *, QString> options[] = {
        {"partition", o.partition}, {"account", o.account}, {"time", o.time}, {"cpus-per-task", o.cpusPerTask}};
    for (const auto &[option, value] : options)
        if (!value.isEmpty())
            lines << QStringLiteral("#SBATCH --%1=%2").arg(QLatin1String(option), value);
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

// sbatch --parsable: "<jobid>[;cluster]".
Result<QString> sbatch(const QStringList &args)
{
    QProcess proc;
    proc.start(QStringLiteral("sbatch"), args);
    if (!proc.waitForStarted(10000))
        return makeError(ErrorCode::NotFound, QStringLiteral("sbatch could not be started (is Slurm's client installed and on PATH?)"));
    if (!proc.waitForFinished(120000)) {
        proc.kill();
        proc.waitForFinished(5000);
        return makeError(ErrorCode::IoError, QStringLiteral("sbatch did not answer within 2 minutes (is the controller reachable?)"));
    }
    const QString out = QString::fromUtf8(proc.readAllStandardOutput()).trimmed();
    const QString err = QString::fromUtf8(proc.readAllStandardError()).trimmed();
    if (proc.exitStatus() != QProcess::NormalExit || proc.exitCode() != 0 || out.isEmpty())
        return makeError(ErrorCode::IoError, QStringLiteral("sbatch failed: ") + (err.isEmpty() ? out : err));
    return out.section(QLatin1Char(';'), 0, 0);
}

QString runEnv(const ChainContext &c)
{
    return QStringLiteral("export REALSYN_RUN_ID=%1\n").arg(c.runId);
}

// One array task per shard of a sharded stage. tasks: "0-7", or the shards
// a resume redoes ("1,5").
Script shardScript(const ChainContext &c, const QString &stage, const QString &tasks)
{
    QStringList attempts;
    for (int a = 1; a <= kShardAttempts; ++a)
        attempts << QString::number(a);
    return {stage, tasks,
            runEnv(c) + QStringLiteral("i=\"$SLURM_ARRAY_TASK_ID\"\n"
                                       "for attempt in %1; do\n"
                                       "  %2 run %3 --shard \"$i/%4\" --until %5 && exit 0\n"
                                       "  echo \"shard $i/%4: attempt $attempt failed\" >&2\n"
                                       "done\n"
                                       "exit 1\n")
                            .arg(attempts.join(QLatin1Char(' ')), shellQuote(c.binary), shellQuote(c.projectDir))
                            .arg(c.shards)
                            .arg(stage)};
}

// Merges a sharded stage, then runs `then` (run's arguments: "--until U"
// for the last, or "--prepare T", the next sharded stage's barrier).
Script mergeScript(const ChainContext &c, const QString &name, const QString &stage, const QString &then)
{
    return {name, {},
            runEnv(c) + QStringLiteral("%1 merge %2 --stage %3 --shards %4 || exit 1\nexec %1 run %2 %5\n")
                            .arg(shellQuote(c.binary), shellQuote(c.projectDir), stage)
                            .arg(c.shards)
                            .arg(then)};
}

// A single job running `realsyn run DIR ARGS` (a barrier, or the last
// stages when no shard work is left).
Script singleScript(const ChainContext &c, const QString &name, const QString &args)
{
    return {name, {}, runEnv(c) + QStringLiteral("exec %1 run %2 %3\n").arg(shellQuote(c.binary), shellQuote(c.projectDir), args)};
}

// The sharded stages from `from` up to `until`, in pipeline order.
QStringList shardedBetween(const QString &from, const QString &until)
{
    const QStringList stages = Pipeline::stageNames();
    QStringList out;
    for (const QString &s : shardableStages())
        if (stages.indexOf(s) >= stages.indexOf(from) && stages.indexOf(s) <= stages.indexOf(until))
            out << s;
    return out;
}

// The chain from `from` (a sharded stage) to `until`: for each sharded
// stage its array and a merge job, which ends with the next sharded stage's
// barrier or, for the last, with the remaining global stages ("finish").
// prepareFirst puts `from`'s barrier first as a job of its own (a resume:
// the merge that should have run it may have died). firstTasks: `from`'s
// array tasks (a resume passes only the unfinished ones; empty: none).
QVector<Script> chain(const ChainContext &c, const QString &from, const QString &until, const QString &firstTasks, bool prepareFirst)
{
    const QStringList sharded = shardedBetween(from, until);
    const QString allTasks = QStringLiteral("0-%1").arg(c.shards - 1);
    QVector<Script> out;
    if (sharded.isEmpty())
        return {singleScript(c, QStringLiteral("finish"), QStringLiteral("--until ") + until)};
    if (prepareFirst)
        out << singleScript(c, from + QStringLiteral("-prepare"), QStringLiteral("--prepare ") + from);
    for (qsizetype i = 0; i < sharded.size(); ++i) {
        const QString &stage = sharded[i];
        if (i > 0 || !firstTasks.isEmpty())
            out << shardScript(c, stage, i == 0 ? firstTasks : allTasks);
        const bool last = i + 1 == sharded.size();
        out << mergeScript(c, last ? QStringLiteral("finish") : stage + QStringLiteral("-merge"), stage,
                           last ? QStringLiteral("--until ") + until : QStringLiteral("--prepare ") + sharded[i + 1]);
    }
    return out;
}

// Writes each script under runDir and submits it depending on the one
// before; appends what it queued to *out.
Status queue(const SlurmOptions &o, const QString &runDir, const QVector<Script> &scripts, SlurmSubmission *out)
{
    const QString logDir = runDir + QStringLiteral("/logs");
    if (!QDir().mkpath(logDir))
        return makeError(ErrorCode::IoError, QStringLiteral("cannot create the run's folder"), logDir);
    QString previous;
    for (const Script &s : scripts) {
        const QString path = runDir + QLatin1Char('/') + s.name + QStringLiteral(".sbatch");
        QSaveFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return makeError(ErrorCode::IoError, QStringLiteral("cannot write the script: ") + f.errorString(), path);
        f.write((header(o, QStringLiteral("realsyn-") + s.name, logDir, !s.array.isEmpty()) + s.body).toUtf8());
        if (!f.commit())
            return makeError(ErrorCode::IoError, QStringLiteral("cannot write the script: ") + f.errorString(), path);
        QFile::setPermissions(path, QFile::permissions(path) | QFileDevice::ExeOwner);

        QStringList args{QStringLiteral("--parsable")};
        if (!s.array.isEmpty())
            args << QStringLiteral("--array=") + s.array;
        // Only encoding uses an accelerator (a CUDA libtorch encoder).
        if (s.name == QLatin1String("embed") && !o.gpusPerTask.isEmpty())
            args << QStringLiteral("--gpus-per-task=") + o.gpusPerTask;
        if (!previous.isEmpty())
            args << QStringLiteral("--dependency=afterok:") + previous << QStringLiteral("--kill-on-invalid-dep=yes");
        args << path;
        out->commands << QStringLiteral("sbatch ") + args.join(QLatin1Char(' '));
        if (o.dryRun) {
            previous = QStringLiteral("<%1>").arg(s.name);
            out->jobs.push_back({s.name, previous, s.array});
            continue;
        }
        auto id = sbatch(args);
        if (!id) {
            QStringList queued;
            for (const SlurmJob &j : std::as_const(out->jobs))
                queued << j.name + QLatin1Char(' ') + j.id;
            Error e = id.error();
            if (!queued.isEmpty())
                e.message += QStringLiteral("; jobs already queued by this submission: %1 (scancel them, or let the chain cancel itself)")
                                 .arg(queued.join(QStringLiteral(", ")));
            return e;
        }
        previous = *id;
        out->jobs.push_back({s.name, *id, s.array});
    }
    return {};
}

QJsonObject optionsToJson(const SlurmOptions &o)
{
    return {{QStringLiteral("partition"), o.partition}, {QStringLiteral("account"), o.account},
            {QStringLiteral("time"), o.time}, {QStringLiteral("cpus_per_task"), o.cpusPerTask},
            {QStringLiteral("gpus_per_task"), o.gpusPerTask}};
}

void optionsFromJson(const QJsonObject &j, SlurmOptions *o)
{
    o->partition = j.value(QStringLiteral("partition")).toString();
    o->account = j.value(QStringLiteral("account")).toString();
    o->time = j.value(QStringLiteral("time")).toString();
    o->cpusPerTask = j.value(QStringLiteral("cpus_per_task")).toString();
    o->gpusPerTask = j.value(QStringLiteral("gpus_per_task")).toString();
}

QJsonArray jobsToJson(QJsonArray into, const QVector<SlurmJob> &jobs)
{
    for (const SlurmJob &j : jobs)
        into.append(QJsonObject{{QStringLiteral("name"), j.name}, {QStringLiteral("id"), j.id}, {QStringLiteral("array"), j.array}});
    return into;
}

Status writeRun(const QString &runDir, const QJsonObject &run)
{
    QSaveFile record(runDir + QStringLiteral("/jobs.json"));
    if (!record.open(QIODevice::WriteOnly))
        return makeError(ErrorCode::IoError, QStringLiteral("cannot write the run record: ") + record.errorString(), record.fileName());
    record.write(QJsonDocument(run).toJson());
    if (!record.commit())
        return makeError(ErrorCode::IoError, QStringLiteral("cannot write the run record: ") + record.errorString(), record.fileName());
    return {};
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

// Shards of the run that have no usable manifest of this run: missing,
// failed, killed, or stale (made for other settings or inputs than the
// project's now; `expected` null when the project cannot be read).
QStringList unfinishedShards(const QString &projectDir, const QString &stage, const QString &runId, int shards,
                             const ShardExpectation *expected)
{
    QStringList out;
    for (int i = 0; i < shards; ++i) {
        auto m = ShardManifest::read(shardDir(projectDir, i, stage), ShardSpec{i, shards});
        if (!m || m->runId != runId || (expected && !expected->whyStale(*m).isEmpty()))
            out << QString::number(i);
    }
    return out;
}

Result<QString> checkedUntil(const QString &until)
{
    const QStringList stages = Pipeline::stageNames();
    if (until.isEmpty())
        return stages.constLast();
    if (!stages.contains(until))
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("unknown stage '%1' (stages: %2)").arg(until, stages.join(QStringLiteral(", "))));
    return until;
}

} // namespace

Result<SlurmSubmission> submitToSlurm(const QString &dir, SlurmOptions options)
{
    if (options.shards < 1 || options.shards > kMaxShards)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("the number of shards must be 1..%1").arg(kMaxShards));
    auto until = checkedUntil(options.until);
    if (!until)
        return until.error();
    if (options.binary.isEmpty() || !QFileInfo(options.binary).isAbsolute())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("the realsyn binary the jobs run must be given by its absolute path"),
                         options.binary);
    // Checked here, not by the first job on the cluster: a project that
    // cannot be opened fails the submission with nothing queued.
    {
        auto store = ProjectStore::open(dir, ProjectStore::Access::ReadOnly);
        if (!store)
            return store.error();
        if (auto recipe = Recipe::load(**store); !recipe)
            return recipe.error();
    }
    SlurmSubmission out;
    const QString projectDir = QFileInfo(dir).absoluteFilePath();
    out.runId = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss-"))
        + QString::number(QRandomGenerator::global()->bounded(0x10000), 16).rightJustified(4, QLatin1Char('0'));
    out.runDir = QDir(projectDir).filePath(QStringLiteral("slurm/") + out.runId);
    const ChainContext c{options.binary, projectDir, out.runId, options.shards};
    const QVector<Script> scripts = chain(c, QStringLiteral("extract"), *until, QStringLiteral("0-%1").arg(options.shards - 1), false);
    const Status queued = queue(options, out.runDir, scripts, &out);
    // The record is written even after a partial failure: status and
    // resume find the jobs that were queued.
    if (!out.jobs.isEmpty() || queued)
        if (Status s = writeRun(out.runDir, QJsonObject{{QStringLiteral("run_id"), out.runId},
                                                        {QStringLiteral("shards"), options.shards},
                                                        {QStringLiteral("until"), *until},
                                                        {QStringLiteral("dry_run"), options.dryRun},
                                                        {QStringLiteral("sbatch"), optionsToJson(options)},
                                                        {QStringLiteral("jobs"), jobsToJson({}, out.jobs)}});
            !s && queued)
            return s.error();
    if (!queued)
        return queued.error();
    return out;
}

Result<SlurmSubmission> resumeOnSlurm(const QString &dir, const SlurmOptions &given)
{
    const QString projectDir = QFileInfo(dir).absoluteFilePath();
    auto latest = latestRun(projectDir);
    if (!latest)
        return latest.error();
    auto [runId, run] = *latest;
    // The run's sbatch options, unless given again.
    SlurmOptions options;
    optionsFromJson(run.value(QStringLiteral("sbatch")).toObject(), &options);
    for (auto [mine, theirs] : {std::pair{&options.partition, &given.partition}, {&options.account, &given.account},
                                {&options.time, &given.time}, {&options.cpusPerTask, &given.cpusPerTask},
                                {&options.gpusPerTask, &given.gpusPerTask}})
        if (!theirs->isEmpty())
            *mine = *theirs;
    options.binary = given.binary;
    options.dryRun = given.dryRun;
    options.shards = run.value(QStringLiteral("shards")).toInt();
    auto until = checkedUntil(run.value(QStringLiteral("until")).toString());
    if (!until)
        return until.error();
    if (options.binary.isEmpty() || !QFileInfo(options.binary).isAbsolute())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("the realsyn binary the jobs run must be given by its absolute path"),
                         options.binary);

    SlurmSubmission out;
    out.runId = runId;
    out.runDir = QDir(projectDir).filePath(QStringLiteral("slurm/") + runId);
    // The first sharded stage not done yet is where the chain broke; with
    // every sharded stage done, only the global stages after them are left.
    bool allDone = true;
    std::optional<ShardExpectation> expected; // of out.from's shards
    {
        auto store = ProjectStore::open(dir, ProjectStore::Access::ReadOnly);
        if (!store)
            return store.error();
        auto recipe = Recipe::load(**store);
        if (!recipe)
            return recipe.error();
        Pipeline pipeline;
        const QStringList stages = Pipeline::stageNames();
        for (const QString &stage : stages.mid(0, stages.indexOf(*until) + 1)) {
            const bool done = pipeline.state(stage, **store, *recipe) == StageState::Done;
            allDone = allDone && done;
            if (!done && out.from.isEmpty() && shardableStages().contains(stage))
                out.from = stage;
        }
        if (!out.from.isEmpty()) {
            auto e = expectedShard(**store, *recipe, out.from);
            if (!e)
                return e.error();
            expected = *e;
        }
    }
    if (allDone) {
        out.nothingToDo = true;
        return out;
    }
    const ChainContext c{options.binary, projectDir, runId, options.shards};
    QVector<Script> scripts;
    if (out.from.isEmpty()) {
        scripts = {singleScript(c, QStringLiteral("finish"), QStringLiteral("--until ") + *until)};
    } else {
        out.resubmitted = unfinishedShards(projectDir, out.from, runId, options.shards, expected ? &*expected : nullptr);
        scripts = chain(c, out.from, *until, out.resubmitted.join(QLatin1Char(',')), out.from != QLatin1String("extract"));
    }
    const Status queued = queue(options, out.runDir, scripts, &out);
    run.insert(QStringLiteral("jobs"), jobsToJson(run.value(QStringLiteral("jobs")).toArray(), out.jobs));
    if (Status s = writeRun(out.runDir, run); !s && queued)
        return s.error();
    if (!queued)
        return queued.error();
    return out;
}

Result<SlurmRunStatus> slurmStatus(const QString &dir)
{
    const QString projectDir = QFileInfo(dir).absoluteFilePath();
    auto latest = latestRun(projectDir);
    if (!latest)
        return latest.error();
    const auto &[runId, run] = *latest;
    SlurmRunStatus out;
    out.runId = runId;
    out.shards = run.value(QStringLiteral("shards")).toInt();
    out.until = run.value(QStringLiteral("until")).toString();
    for (const QJsonValue &v : run.value(QStringLiteral("jobs")).toArray()) {
        const QJsonObject j = v.toObject();
        out.jobs.push_back({j.value(QStringLiteral("name")).toString(), j.value(QStringLiteral("id")).toString(),
                            j.value(QStringLiteral("array")).toString()});
    }
    // Merged = done in the main project; a project that cannot be read
    // now (being written) just shows nothing merged.
    std::unique_ptr<ProjectStore> store;
    std::optional<Recipe> recipe;
    if (auto s = ProjectStore::open(dir, ProjectStore::Access::ReadOnly)) {
        if (auto r = Recipe::load(**s)) {
            store = std::move(*s);
            recipe = std::move(*r);
        }
    }
    Pipeline pipeline;
    const QStringList stages = Pipeline::stageNames();
    for (const QString &stage : shardableStages()) {
        if (stages.indexOf(stage) > stages.indexOf(out.until))
            break;
        StageShards s;
        s.stage = stage;
        s.shards = out.shards;
        std::optional<ShardExpectation> expected;
        if (store && recipe)
            if (auto e = expectedShard(*store, *recipe, stage))
                expected = *e;
        s.waiting = unfinishedShards(projectDir, stage, runId, out.shards, expected ? &*expected : nullptr);
        s.done = out.shards - int(s.waiting.size());
        s.merged = store && recipe && pipeline.state(stage, *store, *recipe) == StageState::Done;
        out.stages.push_back(s);
    }
    QStringList ids;
    for (const SlurmJob &j : std::as_const(out.jobs))
        if (!j.id.startsWith(QLatin1Char('<')))
            ids << j.id;
    // A dry run queued nothing: its queue is known to be empty.
    out.queueAnswered = ids.isEmpty();
    if (!ids.isEmpty()) {
        QProcess q;
        q.start(QStringLiteral("squeue"), {QStringLiteral("-h"), QStringLiteral("-j"), ids.join(QLatin1Char(',')), QStringLiteral("-o"), QStringLiteral("%i %j %T")});
        if (q.waitForFinished(30000) && q.exitStatus() == QProcess::NormalExit && q.exitCode() == 0) {
            out.queueAnswered = true;
            const QStringList lines = QString::fromUtf8(q.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
            for (const QString &line : lines) {
                const QStringList f = line.simplified().split(QLatin1Char(' '));
                if (f.size() == 3)
                    out.queue.push_back({f[0], f[1], f[2]});
            }
        } else if (q.state() != QProcess::NotRunning) {
            q.kill();
            q.waitForFinished(5000);
        }
    }
    return out;
}

} // namespace rs
