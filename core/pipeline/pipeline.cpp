#include "core/pipeline/pipeline.h"

#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "core/store/verdicts.h"
#include "core/store/globalsettings.h"

#include <QCryptographicHash>
#include <QDateTime>

#include <exception>
#include <new>

namespace rs {

QString stageStateName(StageState state)
{
    switch (state) {
    case StageState::Done: return QStringLiteral("done");
    case StageState::Stale: return QStringLiteral("stale");
    case StageState::NotRun: break;
    }
    return QStringLiteral("not-run");
}

QStringList Pipeline::stageNames()
{
    return {QStringLiteral("extract"), QStringLiteral("ground"), QStringLiteral("embed"), QStringLiteral("retrieve"),
            QStringLiteral("generate"), QStringLiteral("sample")};
}

Pipeline::Pipeline(std::vector<std::unique_ptr<IStage>> stages) : m_stages(std::move(stages))
{
    const QStringList names = stageNames();
    for (size_t i = 0; i < m_stages.size(); ++i)
        Q_ASSERT_X(qsizetype(i) < names.size() && m_stages[i]->name() == names[qsizetype(i)], "Pipeline",
                   "stages must be the first of stageNames(), in order");
}

Pipeline::~Pipeline() = default;

IStage *Pipeline::stage(const QString &name) const
{
    for (const auto &s : m_stages)
        if (s->name() == name)
            return s.get();
    return nullptr;
}

bool Pipeline::isAvailable(const QString &name) const
{
    return stage(name) != nullptr;
}

QString Pipeline::fingerprint(const QString &name, ProjectStore &store, const Recipe &recipe) const
{
    QByteArray chain = QByteArray::number(store.dataGeneration());
    for (const QString &s : stageNames()) {
        QStringList keys{settingKeyOf(&GlobalSettings::seed)};
        QString environment;
        if (IStage *impl = stage(s)) {
            keys += impl->settingKeys();
            environment = impl->environmentKey();
        }
        QByteArray link = chain + '|' + s.toUtf8() + '|' + recipe.fingerprint(keys).toUtf8();
        if (!environment.isEmpty()) // stages without one keep the fingerprints they always had
            link += '|' + environment.toUtf8();
        chain = QCryptographicHash::hash(link,
                                         QCryptographicHash::Sha1)
                    .toHex();
        if (s == name)
            break;
    }
    return QString::fromLatin1(chain.left(16));
}

QStringList Pipeline::stagesBefore(const QString &name)
{
    const QStringList names = stageNames();
    return names.mid(0, std::max<qsizetype>(0, names.indexOf(name)));
}

StageState Pipeline::state(const QString &name, ProjectStore &store, const Recipe &recipe) const
{
    auto q = store.exec(QStringLiteral("SELECT fingerprint, inputs FROM stages WHERE name = ?"), {name});
    if (!q || !q->next())
        return StageState::NotRun;
    if (q->value(0).toString() != fingerprint(name, store, recipe))
        return StageState::Stale;
    // Same settings; are the verdicts it read still the ones it saw? (NULL:
    // recorded before this check existed, nothing to compare with.)
    if (const QVariant inputs = q->value(1); !inputs.isNull()) {
        auto current = verdictDigest(store, stagesBefore(name));
        if (!current || *current != inputs.toString())
            return StageState::Stale;
    }
    return StageState::Done;
}

QMap<QString, StageState> Pipeline::states(ProjectStore &store, const Recipe &recipe) const
{
    QMap<QString, StageState> all;
    for (const QString &s : stageNames())
        all.insert(s, state(s, store, recipe));
    return all;
}

namespace {

// The job boundary: whatever a stage or a library under it throws becomes an
// error naming the stage, never a crash that leaves the project half-written.
Status runGuarded(IStage &stage, ProjectStore &store, const Recipe &recipe, JobContext &ctx)
{
    try {
        return stage.run(store, recipe, ctx);
    } catch (const std::bad_alloc &) {
        return makeError(ErrorCode::Internal, QStringLiteral("out of memory"), stage.name());
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, QString::fromLocal8Bit(e.what()), stage.name());
    }
}

} // namespace

Status Pipeline::runStage(IStage &impl, ProjectStore &store, const Recipe &recipe, JobContext &ctx) const
{
    // The recipe's thread count reaches every stage through its context.
    if (const qint64 threads = GlobalSettings::fromRecipe(recipe).threads; threads > 0)
        ctx.setThreads(int(threads));
    if (Status s = runGuarded(impl, store, recipe, ctx); !s)
        return s;
    return recordDone(impl.name(), store, recipe);
}

Status Pipeline::recordDone(const QString &name, ProjectStore &store, const Recipe &recipe) const
{
    auto inputs = verdictDigest(store, stagesBefore(name));
    if (!inputs)
        return inputs.error();
    auto r = store.exec(QStringLiteral("INSERT INTO stages(name, fingerprint, finished_at, inputs) VALUES(?, ?, ?, ?) "
                                       "ON CONFLICT(name) DO UPDATE SET fingerprint = excluded.fingerprint,"
                                       " finished_at = excluded.finished_at, inputs = excluded.inputs"),
                        {name, fingerprint(name, store, recipe), QDateTime::currentDateTimeUtc().toString(Qt::ISODate), *inputs});
    if (!r)
        return r.error();
    return {};
}

Status Pipeline::applySettings(ProjectStore &store, const Recipe &recipe, JobContext &ctx, QStringList *ran) const
{
    if (Status s = recipe.save(store); !s)
        return s;
    for (const QString &name : stageNames()) {
        const StageState st = state(name, store, recipe);
        if (st == StageState::Done)
            continue;
        IStage *impl = stage(name);
        // The first stage that is not done ends it, unless it has run before
        // and re-deciding it is quick: everything after it reads its output.
        if (!impl || st == StageState::NotRun || !impl->quickToRerun(store))
            return {};
        if (ctx.isCanceled())
            return makeError(ErrorCode::Canceled, QStringLiteral("interrupted before %1").arg(name));
        if (Status s = runStage(*impl, store, recipe, ctx); !s)
            return s;
        if (ran)
            ran->append(name);
    }
    return {};
}

Status Pipeline::run(ProjectStore &store, const Recipe &recipe, const QString &until, JobContext &ctx,
                     QStringList *ran) const
{
    const QStringList names = stageNames();
    if (!until.isEmpty() && !names.contains(until))
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("unknown stage (stages: %1)").arg(names.join(QStringLiteral(", "))), until);
    for (const QString &name : names) {
        IStage *impl = stage(name);
        if (!impl) {
            // Running "everything" stops quietly at the end of what this
            // build has; asking for a missing stage by name is an error.
            if (until.isEmpty())
                return {};
            return makeError(ErrorCode::Unsupported, QStringLiteral("stage is not available in this build yet"), name);
        }
        if (ctx.isCanceled())
            return makeError(ErrorCode::Canceled, QStringLiteral("interrupted before %1; finished stages are kept").arg(name));
        if (state(name, store, recipe) != StageState::Done) {
            if (Status s = runStage(*impl, store, recipe, ctx); !s)
                return s;
            if (ran)
                ran->append(name);
        }
        if (name == until)
            break;
    }
    // A Ctrl-C during the last stage's final writes: what finished is kept
    // and recorded, and the caller still learns it was interrupted.
    if (ctx.isCanceled())
        return makeError(ErrorCode::Canceled, QStringLiteral("interrupted; finished stages are kept"));
    return {};
}

} // namespace rs
