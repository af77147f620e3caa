#include "core/pipeline/projectstats.h"

#include "core/pipeline/pipeline.h"
#include "core/sample/samplestage.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "core/store/samplequery.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace rs {

namespace {

// Counts of a table's rows by reject_reason. Items of a stage that has not
// decided yet have a NULL reason too, so "kept" only means something once
// extract is done; the stages object says whether it is.
Result<QJsonObject> itemCounts(ProjectStore &store, const QString &table)
{
    auto q = store.exec(QStringLiteral("SELECT reject_reason, count(*) FROM %1 GROUP BY reject_reason").arg(table));
    if (!q)
        return q.error();
    qint64 total = 0, kept = 0;
    QJsonObject rejected;
    while (q->next()) {
        const qint64 n = q->value(1).toLongLong();
        total += n;
        if (q->value(0).isNull())
            kept += n;
        else
            rejected.insert(q->value(0).toString(), n);
    }
    return QJsonObject{{QStringLiteral("total"), total}, {QStringLiteral("kept"), kept}, {QStringLiteral("rejected"), rejected}};
}

} // namespace

Result<QJsonObject> projectStats(ProjectStore &store, const Recipe &recipe, const Pipeline &pipeline)
{
    QJsonObject out;
    auto docs = store.scalar(QStringLiteral("SELECT count(*) FROM documents"));
    if (!docs)
        return docs.error();
    out.insert(QStringLiteral("documents"), docs->toLongLong());
    auto images = itemCounts(store, QStringLiteral("images"));
    if (!images)
        return images.error();
    out.insert(QStringLiteral("images"), *images);
    auto sentences = itemCounts(store, QStringLiteral("sentences"));
    if (!sentences)
        return sentences.error();
    out.insert(QStringLiteral("sentences"), *sentences);
    auto refs = store.scalar(QStringLiteral("SELECT count(*) FROM image_refs"));
    if (!refs)
        return refs.error();
    out.insert(QStringLiteral("image_refs"), refs->toLongLong());
    auto errors = store.scalar(QStringLiteral("SELECT count(*) FROM issues WHERE stage = 'ingest'"));
    if (!errors)
        return errors.error();
    out.insert(QStringLiteral("ingest_errors"), errors->toLongLong());

    // Issue log entries per stage (per-item problems a curator may review).
    auto issues = store.exec(QStringLiteral("SELECT coalesce(stage, ''), count(*) FROM issues GROUP BY 1"));
    if (!issues)
        return issues.error();
    QJsonObject issueCounts;
    while (issues->next())
        issueCounts.insert(issues->value(0).toString(), issues->value(1).toLongLong());
    out.insert(QStringLiteral("issues"), issueCounts);

    QJsonObject stages;
    const auto states = pipeline.states(store, recipe);
    for (const QString &name : Pipeline::stageNames())
        stages.insert(name, stageStateName(states.value(name)));
    out.insert(QStringLiteral("stages"), stages);

    const QString encoder = store.meta(QStringLiteral("embed.encoder"));
    if (!encoder.isEmpty())
        out.insert(QStringLiteral("encoder"), encoder);
    auto generated = store.scalar(QStringLiteral("SELECT count(*), count(synthetic_text) FROM generations"));
    if (!generated)
        return generated.error();
    auto decisions = store.exec(QStringLiteral("SELECT coalesce(decision, 'edit_only'), count(*) FROM decisions GROUP BY 1"));
    if (!decisions)
        return decisions.error();
    QJsonObject curator;
    while (decisions->next())
        curator.insert(decisions->value(0).toString(), decisions->value(1).toLongLong());
    out.insert(QStringLiteral("curator"), curator);

    // Tag calibration on held-out texts (built-in encoder): whether tags are on and how precise.
    const QJsonObject tags = QJsonDocument::fromJson(store.meta(QStringLiteral("experts.tag_calibration")).toUtf8()).object();
    if (!tags.isEmpty())
        out.insert(QStringLiteral("tags"), QJsonObject{{QStringLiteral("enabled"), tags.value(QStringLiteral("enabled"))},
                                                        {QStringLiteral("precision"), tags.value(QStringLiteral("precision"))},
                                                        {QStringLiteral("recall"), tags.value(QStringLiteral("recall"))},
                                                        {QStringLiteral("threshold"), tags.value(QStringLiteral("threshold"))},
                                                        {QStringLiteral("reason"), tags.value(QStringLiteral("reason"))}});
    out.insert(QStringLiteral("generated"), QJsonObject{{QStringLiteral("images"), generated->toLongLong()}});

    QJsonObject sampling = SampleStage::storedStats(store);
    if (!sampling.isEmpty()) {
        // The plot arrays stay in the store; stats prints the summary.
        sampling.remove(QStringLiteral("sizes_before"));
        sampling.remove(QStringLiteral("sizes_after"));
        auto selected = store.scalar(QStringLiteral("SELECT count(*) FROM images i LEFT JOIN decisions d ON d.image_id = i.id WHERE ")
                                     + selectedCondition());
        if (!selected)
            return selected.error();
        sampling.insert(QStringLiteral("selected"), selected->toLongLong());
        out.insert(QStringLiteral("sampling"), sampling);
    }
    return out;
}

QString formatStats(const QJsonObject &s)
{
    QString text;
    text += QStringLiteral("documents  %1 (%2 image references, %3 unreadable items)\n")
                .arg(s.value(QStringLiteral("documents")).toInteger())
                .arg(s.value(QStringLiteral("image_refs")).toInteger())
                .arg(s.value(QStringLiteral("ingest_errors")).toInteger());
    for (const char *kind : {"images", "sentences"}) {
        const QJsonObject o = s.value(QLatin1String(kind)).toObject();
        text += QStringLiteral("%1  %2 total, %3 kept\n")
                    .arg(QString::fromLatin1(kind), -10)
                    .arg(o.value(QStringLiteral("total")).toInteger())
                    .arg(o.value(QStringLiteral("kept")).toInteger());
        const QJsonObject rejected = o.value(QStringLiteral("rejected")).toObject();
        for (auto it = rejected.begin(); it != rejected.end(); ++it)
            text += QStringLiteral("    %1 %2\n").arg(it.key(), -22).arg(it.value().toInteger());
    }
    const QString encoder = s.value(QStringLiteral("encoder")).toString();
    if (!encoder.isEmpty())
        text += QStringLiteral("encoder   %1%2\n").arg(encoder, encoder.startsWith(QLatin1String("builtin"))
                                                                  ? QStringLiteral(" (the built-in corpus-aligned encoder: not CLIP)")
                                                                  : QString());
    if (s.contains(QStringLiteral("sampling"))) {
        const QJsonObject sm = s.value(QStringLiteral("sampling")).toObject();
        text += QStringLiteral("sampling  %1 selected; %2 clusters, largest %3 -> %4, Gini %5 -> %6\n")
                    .arg(sm.value(QStringLiteral("selected")).toInteger())
                    .arg(sm.value(QStringLiteral("clusters")).toInteger())
                    .arg(sm.value(QStringLiteral("before")).toObject().value(QStringLiteral("max_cluster")).toInteger())
                    .arg(sm.value(QStringLiteral("after")).toObject().value(QStringLiteral("max_cluster")).toInteger())
                    .arg(sm.value(QStringLiteral("before")).toObject().value(QStringLiteral("gini")).toDouble(), 0, 'f', 3)
                    .arg(sm.value(QStringLiteral("after")).toObject().value(QStringLiteral("gini")).toDouble(), 0, 'f', 3);
    }
    text += QStringLiteral("stages    ");
    const QJsonObject stages = s.value(QStringLiteral("stages")).toObject();
    QStringList parts;
    for (const QString &name : Pipeline::stageNames())
        parts << name + QLatin1Char('=') + stages.value(name).toString();
    text += parts.join(QLatin1Char(' ')) + QLatin1Char('\n');
    return text;
}

} // namespace rs
