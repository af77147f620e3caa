#include "core/pipeline/pipeline.h"

#include "core/embed/embedstage.h"
#include "core/extract/extractstage.h"
#include "core/generate/generatestage.h"
#include "core/generate/groundstage.h"
#include "core/sample/samplestage.h"
#include "core/index/retrievestage.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"

#include <QCryptographicHash>
#include <QDateTime>

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

Pipeline::Pipeline()
{
    m_stages.push_back(std::make_unique<ExtractStage>());
    m_stages.push_back(std::make_unique<GroundStage>());
    m_stages.push_back(std::make_unique<EmbedStage>());
    m_stages.push_back(std::make_unique<RetrieveStage>());
    m_stages.push_back(std::make_unique<GenerateStage>());
    m_stages.push_back(std::make_unique<SampleStage>());
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
        QStringList keys{QStringLiteral("seed")};
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

StageState Pipeline::state(const QString &name, ProjectStore &store, const Recipe &recipe) const
{
    auto stored = store.scalar(QStringLiteral("SELECT fingerprint FROM stages WHERE name = ?"), {name});
    if (!stored || !stored->isValid())
        return StageState::NotRun;
    return stored->toString() == fingerprint(name, store, recipe) ? StageState::Done : StageState::Stale;
}

QMap<QString, StageState> Pipeline::states(ProjectStore &store, const Recipe &recipe) const
{
    QMap<QString, StageState> all;
    for (const QString &s : stageNames())
        all.insert(s, state(s, store, recipe));
    return all;
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
        if (state(name, store, recipe) != StageState::Done) {
            if (Status s = impl->run(store, recipe, ctx); !s)
                return s;
            auto r = store.exec(QStringLiteral("INSERT INTO stages(name, fingerprint, finished_at) VALUES(?, ?, ?) "
                                               "ON CONFLICT(name) DO UPDATE SET fingerprint = excluded.fingerprint,"
                                               " finished_at = excluded.finished_at"),
                                {name, fingerprint(name, store, recipe),
                                 QDateTime::currentDateTimeUtc().toString(Qt::ISODate)});
            if (!r)
                return r.error();
            if (ran)
                ran->append(name);
        }
        if (name == until)
            break;
    }
    return {};
}

} // namespace rs
