#include "core/store/samplequery.h"

#include "core/store/projectstore.h"

#include <QJsonDocument>
#include <QStringList>

namespace rs {

QString keptCondition()
{
    return QStringLiteral("i.reject_reason IS NULL");
}

QString selectedCondition()
{
    return QStringLiteral("((i.reject_reason IS NULL AND coalesce(i.sampled, 1) = 1 AND coalesce(d.decision, '') <> 'reject')"
                          " OR d.decision = 'accept')");
}

Result<QJsonArray> listSamples(ProjectStore &store, SampleFilter filter)
{
    QString where;
    if (filter == SampleFilter::Kept)
        where = QStringLiteral(" WHERE ") + keptCondition();
    else if (filter == SampleFilter::Selected)
        where = QStringLiteral(" WHERE ") + selectedCondition();
    auto q = store.exec(QStringLiteral("SELECT i.id, coalesce(i.path, i.image_key), %1, %2 FROM images i"
                                       " LEFT JOIN decisions d ON d.image_id = i.id%3 ORDER BY i.id")
                            .arg(keptCondition(), selectedCondition(), where));
    if (!q)
        return q.error();
    QJsonArray out;
    while (q->next())
        out.append(QJsonObject{{QStringLiteral("id"), q->value(0).toLongLong()},
                               {QStringLiteral("path"), q->value(1).toString()},
                               {QStringLiteral("kept"), q->value(2).toInt() != 0},
                               {QStringLiteral("selected"), q->value(3).toInt() != 0}});
    return out;
}

Result<std::vector<qint64>> sampleIds(ProjectStore &store, SampleFilter filter)
{
    const QString where = filter == SampleFilter::Kept       ? QStringLiteral(" WHERE ") + keptCondition()
                          : filter == SampleFilter::Selected ? QStringLiteral(" WHERE ") + selectedCondition()
                          : filter == SampleFilter::Unprobed ? QStringLiteral(" WHERE i.probed = 0")
                                                             : QString();
    auto q = store.exec(QStringLiteral("SELECT i.id FROM images i LEFT JOIN decisions d ON d.image_id = i.id%1 ORDER BY i.id").arg(where));
    if (!q)
        return q.error();
    std::vector<qint64> ids;
    while (q->next())
        ids.push_back(q->value(0).toLongLong());
    return ids;
}

namespace {
// One SELECT of image ids per facet: the same definition for the filter and its count.
QString facetQuery(ImageFacet facet)
{
    switch (facet) {
    case ImageFacet::CuratorAccepted: return QStringLiteral("SELECT image_id FROM decisions WHERE decision = 'accept'");
    case ImageFacet::CuratorRejected: return QStringLiteral("SELECT image_id FROM decisions WHERE decision = 'reject'");
    case ImageFacet::HasOcrText:
        return QStringLiteral("SELECT DISTINCT image_id FROM expert_findings WHERE kind = 'ocr' AND trim(coalesce(label, '')) <> ''");
    case ImageFacet::HasFaces: break;
    }
    return QStringLiteral("SELECT DISTINCT image_id FROM expert_findings WHERE kind = 'face'");
}
} // namespace

Result<std::vector<qint64>> imagesWith(ProjectStore &store, ImageFacet facet)
{
    auto q = store.exec(facetQuery(facet) + QStringLiteral(" ORDER BY 1"));
    if (!q)
        return q.error();
    std::vector<qint64> ids;
    while (q->next())
        ids.push_back(q->value(0).toLongLong());
    return ids;
}

Result<std::vector<qint64>> facetCounts(ProjectStore &store)
{
    QStringList parts;
    for (ImageFacet f : {ImageFacet::CuratorAccepted, ImageFacet::CuratorRejected, ImageFacet::HasOcrText, ImageFacet::HasFaces})
        parts << QStringLiteral("(SELECT count(*) FROM (%1))").arg(facetQuery(f));
    auto q = store.exec(QStringLiteral("SELECT ") + parts.join(QStringLiteral(", ")));
    if (!q)
        return q.error();
    std::vector<qint64> counts(4, 0);
    if (q->next())
        for (int i = 0; i < 4; ++i)
            counts[size_t(i)] = q->value(i).toLongLong();
    return counts;
}

Result<QJsonObject> sampleDetails(ProjectStore &store, qint64 imageId)
{
    auto q = store.exec(QStringLiteral("SELECT i.id, coalesce(i.path, i.image_key), i.width, i.height, i.refusal, i.failure, i.detail,"
                                       " i.reject_reason, i.duplicate_of, i.format, i.bytes, i.sha256, i.cluster, i.cluster_score,"
                                       " i.sampled, d.decision, %1, %2, i.sample_reason, i.probed FROM images i LEFT JOIN decisions d ON d.image_id = i.id"
                                       " WHERE i.id = ?")
                            .arg(keptCondition(), selectedCondition()),
                        {imageId});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorCode::NotFound, QStringLiteral("no image with id %1").arg(imageId));
    QJsonObject o;
    o.insert(QStringLiteral("id"), imageId);
    o.insert(QStringLiteral("path"), q->value(1).toString());
    o.insert(QStringLiteral("width"), q->value(2).toInt());
    o.insert(QStringLiteral("height"), q->value(3).toInt());
    o.insert(QStringLiteral("format"), q->value(9).toString());
    o.insert(QStringLiteral("bytes"), q->value(10).toLongLong());
    o.insert(QStringLiteral("sha256"), q->value(11).toString());
    // Before extract has probed an image its size, format and verdicts are
    // unknown, not zero: readers say "not probed yet" instead.
    o.insert(QStringLiteral("probed"), q->value(19).toInt() != 0);
    o.insert(QStringLiteral("kept"), q->value(16).toInt() != 0);
    o.insert(QStringLiteral("selected"), q->value(17).toInt() != 0);
    QJsonArray reasons;
    if (!q->value(7).isNull()) {
        QJsonObject r{{QStringLiteral("reason"), q->value(7).toString()}};
        if (!q->value(6).toString().isEmpty())
            r.insert(QStringLiteral("detail"), q->value(6).toString());
        if (!q->value(8).isNull())
            r.insert(QStringLiteral("duplicate_of"), q->value(8).toLongLong());
        reasons.append(r);
    }
    o.insert(QStringLiteral("reasons"), reasons);
    if (!q->value(12).isNull()) {
        o.insert(QStringLiteral("cluster"), q->value(12).toLongLong());
        o.insert(QStringLiteral("cluster_score"), q->value(13).toDouble());
    }
    if (!q->value(14).isNull())
        o.insert(QStringLiteral("sampled"), q->value(14).toInt() != 0);
    if (!q->value(18).isNull())
        o.insert(QStringLiteral("sample_reason"), q->value(18).toString());
    o.insert(QStringLiteral("curator_decision"), q->value(15).isNull() ? QJsonValue() : QJsonValue(q->value(15).toString()));

    // Provenance: every page that shows this image, with its context.
    auto refs = store.exec(QStringLiteral("SELECT r.id, d.doc_key, d.source_path, d.url, d.title, r.position, r.src, r.alt, r.title, r.caption,"
                                          " r.document_id FROM image_refs r JOIN documents d ON d.id = r.document_id"
                                          " WHERE r.image_id = ? ORDER BY r.id"),
                           {imageId});
    if (!refs)
        return refs.error();
    QJsonArray provenance;
    while (refs->next()) {
        QJsonObject p{{QStringLiteral("document"), refs->value(1).toString()},
                      {QStringLiteral("source_path"), refs->value(2).toString()},
                      {QStringLiteral("position"), refs->value(5).toInt()},
                      {QStringLiteral("src"), refs->value(6).toString()}};
        for (auto [key, col] : {std::pair{"url", 3}, {"title", 4}, {"alt", 7}, {"image_title", 8}, {"caption", 9}})
            if (!refs->value(col).toString().isEmpty())
                p.insert(QLatin1String(key), refs->value(col).toString());
        // Neighbouring text: the kept or rejected sentences nearest the image in its page.
        auto ctx = store.exec(QStringLiteral("SELECT text, kind FROM sentences WHERE document_id = ? AND image_ref_id IS NULL"
                                             " ORDER BY abs(block - ?), position LIMIT 4"),
                              {refs->value(10), refs->value(5)});
        if (!ctx)
            return ctx.error();
        QJsonArray context;
        while (ctx->next())
            context.append(ctx->value(0).toString());
        p.insert(QStringLiteral("context"), context);
        provenance.append(p);
    }
    o.insert(QStringLiteral("provenance"), provenance);

    auto ret = store.exec(QStringLiteral("SELECT r.rank, r.score, s.id, s.text, d.doc_key, r.visual, r.ocr, r.context, r.lexical FROM retrievals r"
                                         " JOIN sentences s ON s.id = r.sentence_id JOIN documents d ON d.id = s.document_id"
                                         " WHERE r.image_id = ? ORDER BY r.rank"),
                          {imageId});
    if (!ret)
        return ret.error();
    QJsonArray retrieved;
    while (ret->next()) {
        // Per-signal scores (0..1) of fused retrieval; null where a row has
        // none (document mode, or written before signals were kept).
        QJsonObject signals;
        for (int s = 0; s < 4; ++s) {
            static const char *names[] = {"visual", "ocr", "context", "lexical"};
            const QVariant v = ret->value(5 + s);
            signals.insert(QLatin1String(names[s]), v.isNull() ? QJsonValue(QJsonValue::Null) : QJsonValue(v.toDouble()));
        }
        retrieved.append(QJsonObject{{QStringLiteral("rank"), ret->value(0).toInt()},
                                     {QStringLiteral("score"), ret->value(1).toDouble()},
                                     {QStringLiteral("sentence_id"), ret->value(2).toLongLong()},
                                     {QStringLiteral("text"), ret->value(3).toString()},
                                     {QStringLiteral("document"), ret->value(4).toString()},
                                     {QStringLiteral("signals"), signals}});
    }
    o.insert(QStringLiteral("retrieved"), retrieved);
    auto ex = store.exec(QStringLiteral("SELECT kind, level, x, y, w, h, label, confidence, expert FROM expert_findings"
                                        " WHERE image_id = ? ORDER BY id"),
                         {imageId});
    if (!ex)
        return ex.error();
    QJsonArray experts;
    while (ex->next()) {
        const QString kind = ex->value(0).toString();
        QJsonObject f{{QStringLiteral("kind"), kind},
                      {QStringLiteral("expert"), ex->value(8).toString()},
                      {QStringLiteral("level"), ex->value(1).toString().isEmpty() ? QJsonValue() : QJsonValue(ex->value(1).toString())},
                      {QStringLiteral("confidence"), ex->value(7).toDouble()}};
        const double w = ex->value(4).toDouble(), h = ex->value(5).toDouble();
        f.insert(QStringLiteral("box"), w > 0 && h > 0 ? QJsonValue(QJsonArray{ex->value(2).toDouble(), ex->value(3).toDouble(), w, h})
                                                       : QJsonValue());
        f.insert(kind == QLatin1String("ocr") || kind == QLatin1String("quality") ? QStringLiteral("text") : QStringLiteral("label"),
                 ex->value(6).toString());
        experts.append(f);
    }
    o.insert(QStringLiteral("experts"), experts);

    auto gen = store.exec(QStringLiteral("SELECT caption, synthetic_text, generator, model, prompt_version, evidence, similarity, error,"
                                         " created_at, tags FROM generations WHERE image_id = ?"),
                          {imageId});
    if (!gen)
        return gen.error();
    const auto text = [](const QVariant &v) { return v.isNull() || v.toString().isEmpty() ? QJsonValue() : QJsonValue(v.toString()); };
    if (gen->next()) {
        o.insert(QStringLiteral("caption"), text(gen->value(0)));
        o.insert(QStringLiteral("synthetic_text"), text(gen->value(1)));
        o.insert(QStringLiteral("generator"), gen->value(2).toString());
        o.insert(QStringLiteral("tags"), QJsonDocument::fromJson(gen->value(9).toByteArray()).array());
        o.insert(QStringLiteral("generation"),
                 QJsonObject{{QStringLiteral("model"), gen->value(3).toString()},
                             {QStringLiteral("prompt_version"), gen->value(4).toString()},
                             {QStringLiteral("provenance"), QJsonDocument::fromJson(gen->value(5).toByteArray()).object()},
                             {QStringLiteral("similarity"), gen->value(6).isNull() ? QJsonValue() : QJsonValue(gen->value(6).toDouble())},
                             {QStringLiteral("error"), text(gen->value(7))},
                             {QStringLiteral("created_at"), gen->value(8).toString()}});
    } else {
        o.insert(QStringLiteral("caption"), QJsonValue());
        o.insert(QStringLiteral("synthetic_text"), QJsonValue());
        o.insert(QStringLiteral("generator"), QJsonValue());
    }
    // A curator's edit wins over the generator's text.
    auto dec = store.exec(QStringLiteral("SELECT syn_text FROM decisions WHERE image_id = ? AND syn_text IS NOT NULL"), {imageId});
    if (!dec)
        return dec.error();
    // The text is then the curator's: `generator` says so, so that `show`
    // and the export never credit a generator with words it did not write;
    // the generator's own text and id stay readable beside it.
    if (dec->next()) {
        o.insert(QStringLiteral("generated_synthetic_text"), o.value(QStringLiteral("synthetic_text")));
        o.insert(QStringLiteral("generated_by"), o.value(QStringLiteral("generator")));
        o.insert(QStringLiteral("synthetic_text"), dec->value(0).toString());
        o.insert(QStringLiteral("curator_syn_text"), dec->value(0).toString());
        o.insert(QStringLiteral("generator"), QStringLiteral("curator"));
        o.insert(QStringLiteral("synthetic_text_edited"), true);
    } else {
        o.insert(QStringLiteral("synthetic_text_edited"), false);
    }
    return o;
}

} // namespace rs
