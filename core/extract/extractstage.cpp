#include "core/extract/extractstage.h"

#include "core/extract/imageprobe.h"
#include "core/embed/activeencoder.h"
#include "core/extract/nearduplicates.h"
#include "core/generate/iexpert.h"
#include "core/plugin/pluginmanager.h"
#include "core/pipeline/issuelog.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QThreadPool>
#include <QtConcurrent>

#include <cmath>

namespace rs {

namespace {

constexpr int kProbeBatch = 64;

struct ImageRow {
    qint64 id = 0;
    QString refusal, failure, sha256;
    int width = 0, height = 0;
    quint64 phash = 0;
    double brisque = -1; // < 0: not scored
    QString reason;
    qint64 duplicateOf = 0;
};

// One item's verdict: no reason = kept.
struct Decision {
    qint64 id = 0;
    QString reason;
    qint64 duplicateOf = 0;
};

// Images and sentences store their verdicts the same way, in one transaction.
Status writeDecisions(ProjectStore &store, const QString &table, const QVector<Decision> &decisions)
{
    Transaction tx(store);
    auto update = store.prepare(QStringLiteral("UPDATE %1 SET reject_reason = ?, duplicate_of = ? WHERE id = ?").arg(table));
    if (!update)
        return update.error();
    for (const Decision &d : decisions)
        if (Status s = store.execPrepared(*update, {d.reason.isEmpty() ? QVariant() : QVariant(d.reason),
                                                    d.duplicateOf ? QVariant(d.duplicateOf) : QVariant(), d.id});
            !s)
            return s;
    return tx.commit();
}

int threadCount(const Recipe &recipe, const JobContext &ctx)
{
    int n = int(recipe.intValue(QStringLiteral("threads")));
    if (ctx.threads() > 0)
        n = ctx.threads();
    return n > 0 ? n : QThread::idealThreadCount();
}

} // namespace

QStringList ExtractStage::imageReasons()
{
    return {QStringLiteral("not_local"),       QStringLiteral("outside_corpus"), QStringLiteral("missing_file"),
            QStringLiteral("unreadable"),      QStringLiteral("too_many_pixels"), QStringLiteral("decode_failed"),
            QStringLiteral("too_small"),       QStringLiteral("bad_aspect"),     QStringLiteral("low_quality"),
            QStringLiteral("exact_duplicate"),
            QStringLiteral("near_duplicate")};
}

QStringList ExtractStage::sentenceReasons()
{
    return {QStringLiteral("code_block"),     QStringLiteral("navigation"), QStringLiteral("has_url"),
            QStringLiteral("has_email"),      QStringLiteral("has_emoji"),  QStringLiteral("too_few_words"),
            QStringLiteral("too_many_words"), QStringLiteral("low_entropy"), QStringLiteral("exact_duplicate"),
            QStringLiteral("normalized_duplicate")};
}

Status ExtractStage::run(ProjectStore &store, const Recipe &recipe, JobContext &ctx)
{
    if (Status s = probeImages(store, recipe, ctx); !s)
        return s;
    if (recipe.doubleValue(QStringLiteral("extract.max_brisque")) > 0)
        if (Status s = scoreQuality(store, recipe, ctx); !s)
            return s;
    if (Status s = decideImages(store, recipe, ctx); !s)
        return s;
    return decideSentences(store, recipe, ctx);
}

Status ExtractStage::probeImages(ProjectStore &store, const Recipe &recipe, JobContext &ctx)
{
    auto total = store.scalar(QStringLiteral("SELECT count(*) FROM images WHERE probed = 0 AND path IS NOT NULL"));
    if (!total)
        return total.error();
    const qint64 todo = total->toLongLong();
    if (todo == 0)
        return {};

    ProbeOptions options;
    options.maxPixels = recipe.intValue(QStringLiteral("extract.max_pixels"));
    QThreadPool pool;
    pool.setMaxThreadCount(threadCount(recipe, ctx));

    qint64 done = 0;
    qint64 lastId = 0;
    while (!ctx.isCanceled()) {
        // Keyset pagination: each batch is committed before the next is
        // read, so an interrupted run resumes where it stopped.
        auto q = store.exec(QStringLiteral("SELECT id, path FROM images WHERE probed = 0 AND path IS NOT NULL AND id > ?"
                                           " ORDER BY id LIMIT %1").arg(kProbeBatch),
                            {lastId});
        if (!q)
            return q.error();
        QVector<std::pair<qint64, QString>> batch;
        while (q->next())
            batch.push_back({q->value(0).toLongLong(), q->value(1).toString()});
        if (batch.isEmpty())
            break;
        lastId = batch.back().first;

        const QVector<ImageProbe> probes = QtConcurrent::blockingMapped<QVector<ImageProbe>>(
            &pool, batch, [options](const std::pair<qint64, QString> &item) { return probeImageFile(item.second, options); });

        Transaction tx(store);
        auto update = store.prepare(QStringLiteral("UPDATE images SET probed = 1, failure = ?, detail = ?, width = ?, height = ?,"
                                                   " bytes = ?, format = ?, sha256 = ?, phash = ? WHERE id = ?"));
        if (!update)
            return update.error();
        for (int i = 0; i < batch.size(); ++i) {
            const ImageProbe &p = probes[i];
            if (Status s = store.execPrepared(*update, {p.failure.isEmpty() ? QVariant() : QVariant(p.failure), p.detail, p.width, p.height,
                                                        p.bytes, p.format, QString::fromLatin1(p.sha256), qint64(p.phash), batch[i].first});
                !s)
                return s;
            if (!p.failure.isEmpty())
                recordImageIssue(store, ctx, QStringLiteral("extract"), JobIssue{Severity::Warning, p.failure + QStringLiteral(": ") + p.detail, batch[i].first, batch[i].second});
        }
        if (Status s = tx.commit(); !s)
            return s;
        done += batch.size();
        ctx.progress(done, todo, QStringLiteral("probing images"));
    }
    if (ctx.isCanceled())
        return makeError(ErrorCode::Canceled, QStringLiteral("extract interrupted; probed images are kept"));
    return {};
}

Status ExtractStage::scoreQuality(ProjectStore &store, const Recipe &recipe, JobContext &ctx)
{
    // The quality expert (plugins/expert_opencv) scores; one instance per
    // worker thread, as experts are not thread-safe.
    std::shared_ptr<IExpertFactory> factory;
    for (IExpertPlugin *plugin : sharedPlugins().objects<IExpertPlugin>())
        for (const auto &f : plugin->factories())
            if (f->kind() == QLatin1String("quality") && !factory)
                factory = f;
    if (!factory)
        return makeError(ErrorCode::Unsupported, QStringLiteral("extract.max_brisque needs the quality expert plugin (expert_opencv), which was not found"));
    if (Status s = factory->initialize({}); !s)
        return s;
    auto total = store.scalar(QStringLiteral("SELECT count(*) FROM images WHERE probed = 1 AND failure IS NULL AND brisque IS NULL"));
    if (!total)
        return total.error();
    QThreadPool pool;
    pool.setMaxThreadCount(threadCount(recipe, ctx));
    QMutex mutex;
    std::vector<std::unique_ptr<IExpert>> idle;
    qint64 done = 0;
    while (!ctx.isCanceled()) {
        auto q = store.exec(QStringLiteral("SELECT id, path FROM images WHERE probed = 1 AND failure IS NULL AND brisque IS NULL"
                                           " ORDER BY id LIMIT %1").arg(kProbeBatch));
        if (!q)
            return q.error();
        QVector<std::pair<qint64, QString>> batch;
        while (q->next())
            batch.push_back({q->value(0).toLongLong(), q->value(1).toString()});
        if (batch.isEmpty())
            break;
        const QVector<double> scores = QtConcurrent::blockingMapped<QVector<double>>(&pool, batch, [&](const std::pair<qint64, QString> &item) {
            std::unique_ptr<IExpert> expert;
            {
                QMutexLocker lock(&mutex);
                if (!idle.empty()) {
                    expert = std::move(idle.back());
                    idle.pop_back();
                }
            }
            if (!expert)
                expert = factory->create();
            double score = -1; // unscorable: recorded so it is not retried, never dropped for it
            if (auto img = loadImageRgb(item.second); img && expert) {
                if (auto f = expert->analyze(img.value()); f && !f->isEmpty())
                    score = f->front().value;
            }
            QMutexLocker lock(&mutex);
            idle.push_back(std::move(expert));
            return score;
        });
        Transaction tx(store);
        auto update = store.prepare(QStringLiteral("UPDATE images SET brisque = ? WHERE id = ?"));
        if (!update)
            return update.error();
        for (int i = 0; i < batch.size(); ++i)
            if (Status s = store.execPrepared(*update, {scores[i], batch[i].first}); !s)
                return s;
        if (Status s = tx.commit(); !s)
            return s;
        done += batch.size();
        ctx.progress(done, total->toLongLong(), QStringLiteral("scoring image quality"));
    }
    if (ctx.isCanceled())
        return makeError(ErrorCode::Canceled, QStringLiteral("extract interrupted; scores so far are kept"));
    return {};
}

Status ExtractStage::decideImages(ProjectStore &store, const Recipe &recipe, JobContext &ctx)
{
    auto q = store.exec(QStringLiteral("SELECT id, refusal, failure, width, height, sha256, phash, probed, path, brisque FROM images ORDER BY id"));
    if (!q)
        return q.error();
    QVector<ImageRow> rows;
    while (q->next()) {
        ImageRow r;
        r.id = q->value(0).toLongLong();
        r.refusal = q->value(1).toString();
        r.failure = q->value(2).toString();
        r.width = q->value(3).toInt();
        r.height = q->value(4).toInt();
        r.sha256 = q->value(5).toString();
        r.phash = quint64(q->value(6).toLongLong());
        r.brisque = q->value(9).isNull() ? -1 : q->value(9).toDouble();
        if (q->value(7).toInt() == 0 && r.refusal.isEmpty())
            r.failure = QStringLiteral("unreadable"); // never probed: cannot be kept
        rows.push_back(r);
    }

    const int minSide = int(recipe.intValue(QStringLiteral("extract.min_side")));
    const double maxAspect = recipe.doubleValue(QStringLiteral("extract.max_aspect"));
    const qint64 maxPixels = recipe.intValue(QStringLiteral("extract.max_pixels"));
    const double maxBrisque = recipe.doubleValue(QStringLiteral("extract.max_brisque"));
    QHash<QString, int> firstBySha;
    QVector<int> survivors;
    for (int i = 0; i < rows.size(); ++i) {
        ImageRow &r = rows[i];
        if (!r.refusal.isEmpty()) {
            r.reason = r.refusal;
        } else if (!r.failure.isEmpty()) {
            r.reason = r.failure;
        } else if (qint64(r.width) * r.height > maxPixels) {
            // The probe used the limit in force then; a lower limit now still applies.
            r.reason = QStringLiteral("too_many_pixels");
        } else if (std::min(r.width, r.height) < minSide) {
            r.reason = QStringLiteral("too_small");
        } else if (double(std::max(r.width, r.height)) / std::max(1, std::min(r.width, r.height)) > maxAspect) {
            r.reason = QStringLiteral("bad_aspect");
        } else if (maxBrisque > 0 && r.brisque > maxBrisque) {
            r.reason = QStringLiteral("low_quality");
        } else if (auto it = firstBySha.constFind(r.sha256); it != firstBySha.cend()) {
            r.reason = QStringLiteral("exact_duplicate");
            r.duplicateOf = rows[*it].id;
        } else {
            firstBySha.insert(r.sha256, i);
            survivors.push_back(i);
        }
    }

    if (recipe.boolValue(QStringLiteral("extract.near_duplicates")) && survivors.size() > 1) {
        // Two different dark UI screenshots, one tall and one wide, can hash
        // a few bits apart; copies keep their shape. A copy split across an
        // aspect-class edge is missed, which is the safe way to err.
        QHash<int, QVector<int>> byAspect;
        for (int i : survivors)
            byAspect[nearDuplicateAspectClass(rows[i].width, rows[i].height)].push_back(i);
        const int distance = int(recipe.intValue(QStringLiteral("extract.phash_distance")));
        for (const QVector<int> &members : std::as_const(byAspect)) {
            if (members.size() < 2)
                continue;
            QVector<quint64> hashes;
            QVector<qint64> quality;
            for (int i : members) {
                hashes.push_back(rows[i].phash);
                quality.push_back(qint64(rows[i].width) * rows[i].height);
            }
            const QVector<int> rep = groupNearDuplicates(hashes, distance, quality);
            for (int k = 0; k < members.size(); ++k) {
                if (rep[k] != k) {
                    rows[members[k]].reason = QStringLiteral("near_duplicate");
                    rows[members[k]].duplicateOf = rows[members[rep[k]]].id;
                }
            }
        }
    }

    QVector<Decision> decisions;
    decisions.reserve(rows.size());
    for (const ImageRow &r : rows)
        decisions.push_back({r.id, r.reason, r.duplicateOf});
    if (Status s = writeDecisions(store, QStringLiteral("images"), decisions); !s)
        return s;
    ctx.progress(rows.size(), rows.size(), QStringLiteral("deciding images"));
    return {};
}

Status ExtractStage::decideSentences(ProjectStore &store, const Recipe &recipe, JobContext &ctx)
{
    auto q = store.exec(QStringLiteral("SELECT id, kind, words, entropy, has_url, has_email, has_emoji, text, dedup_key"
                                       " FROM sentences ORDER BY id"));
    if (!q)
        return q.error();
    const bool dropCode = recipe.boolValue(QStringLiteral("extract.drop_code"));
    const bool dropNav = recipe.boolValue(QStringLiteral("extract.drop_nav"));
    const bool dropUrls = recipe.boolValue(QStringLiteral("extract.drop_urls"));
    const bool dropEmails = recipe.boolValue(QStringLiteral("extract.drop_emails"));
    const bool dropEmoji = recipe.boolValue(QStringLiteral("extract.drop_emoji"));
    const qint64 minWords = recipe.intValue(QStringLiteral("extract.min_words"));
    const qint64 maxWords = recipe.intValue(QStringLiteral("extract.max_words"));
    const double minEntropy = recipe.doubleValue(QStringLiteral("extract.min_entropy"));
    const bool dedup = recipe.boolValue(QStringLiteral("extract.dedup_sentences"));

    QVector<Decision> decisions;
    QHash<QString, qint64> byText, byKey;
    while (q->next()) {
        Decision d{q->value(0).toLongLong(), QString(), 0};
        const QString kind = q->value(1).toString();
        const qint64 words = q->value(2).toLongLong();
        // Entropy is compared at stored precision; tiny float noise must not
        // flip a sentence sitting exactly on the threshold.
        const double entropy = q->value(3).toDouble() + 1e-9;
        if (dropCode && kind == QLatin1String("code"))
            d.reason = QStringLiteral("code_block");
        else if (dropNav && kind == QLatin1String("nav"))
            d.reason = QStringLiteral("navigation");
        else if (dropUrls && q->value(4).toInt())
            d.reason = QStringLiteral("has_url");
        else if (dropEmails && q->value(5).toInt())
            d.reason = QStringLiteral("has_email");
        else if (dropEmoji && q->value(6).toInt())
            d.reason = QStringLiteral("has_emoji");
        else if (words < minWords)
            d.reason = QStringLiteral("too_few_words");
        else if (words > maxWords)
            d.reason = QStringLiteral("too_many_words");
        else if (entropy < minEntropy)
            d.reason = QStringLiteral("low_entropy");
        else if (dedup) {
            const QString text = q->value(7).toString();
            const QString key = q->value(8).toString();
            if (auto it = byText.constFind(text); it != byText.cend()) {
                d.reason = QStringLiteral("exact_duplicate");
                d.duplicateOf = *it;
            } else if (auto k = byKey.constFind(key); k != byKey.cend()) {
                d.reason = QStringLiteral("normalized_duplicate");
                d.duplicateOf = *k;
            } else {
                byText.insert(text, d.id);
                byKey.insert(key, d.id);
            }
        }
        decisions.push_back(std::move(d));
    }

    if (Status s = writeDecisions(store, QStringLiteral("sentences"), decisions); !s)
        return s;
    ctx.progress(decisions.size(), decisions.size(), QStringLiteral("deciding sentences"));
    return {};
}

} // namespace rs
