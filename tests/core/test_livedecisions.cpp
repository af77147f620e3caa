// LiveDecisions must decide exactly as the extract stage does (same reason,
// same order) for every recipe the threshold panel can produce, from a real
// project store; and its synthetic corpus and histograms must be sane.

#include "core/embed/embeddingstore.h"
#include "core/embed/embedstage.h"
#include "core/extract/extractstage.h"
#include "core/pipeline/livedecisions.h"
#include "core/pipeline/pipeline.h"
#include "core/sample/samplestage.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "core/store/verdicts.h"

#include <random>

#include <QTemporaryDir>
#include <QtTest>

using namespace rs;

namespace {

// Stored reject reasons per id, in id order (empty = kept).
QStringList storedReasons(ProjectStore &store, const QString &table)
{
    QStringList out;
    auto q = store.exec(QStringLiteral("SELECT coalesce(reject_reason, '') FROM %1 ORDER BY id").arg(table));
    while (q && q->next())
        out << q->value(0).toString();
    return out;
}

QStringList liveReasons(const std::vector<quint8> &codes, const QStringList &names)
{
    QStringList out;
    for (quint8 c : codes)
        out << (c ? names.value(c - 1) : QString());
    return out;
}

} // namespace

class TestLiveDecisions : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto store = ProjectStore::create(m_dir.filePath(QStringLiteral("p")));
        QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
        m_store = std::move(store.value());
        ProjectStore &s = *m_store;
        QVERIFY(s.exec(QStringLiteral("INSERT INTO sources(id, format, path, added_at) VALUES(1, 'html', '/x', 'now')")));
        QVERIFY(s.exec(QStringLiteral("INSERT INTO documents(id, source_id, doc_key) VALUES(1, 1, 'd1')")));
        // id, w, h, sha, phash, refusal, failure, probed
        struct Img { int w, h; const char *sha; quint64 phash; const char *refusal, *failure; int probed; };
        const Img images[] = {
            {640, 480, "a", 0x0F0F0F0F0F0F0F0Full, nullptr, nullptr, 1},
            {640, 480, "a", 0x0F0F0F0F0F0F0F0Full, nullptr, nullptr, 1},     // exact duplicate of 1
            {90, 300, "b", 0x1234567812345678ull, nullptr, nullptr, 1},      // too small at 100
            {1000, 200, "c", 0xFFFF0000FFFF0000ull, nullptr, nullptr, 1},    // aspect 5
            {800, 600, "d", 0x0F0F0F0F0F0F0F0Eull, nullptr, nullptr, 1},     // near duplicate of 1 (1 bit), more pixels: wins
            {0, 0, nullptr, 0, "not_local", nullptr, 0},                     // refused
            {0, 0, "e", 0, nullptr, "decode_failed", 1},
            {120, 120, "f", 0xAAAAAAAAAAAAAAAAull, nullptr, nullptr, 0},     // never probed: unreadable
            {150, 150, "g", 0x5555555555555555ull, "weird_new_reason", nullptr, 0},
            {99, 99, "h", 0x00FF00FF00FF00FFull, nullptr, nullptr, 1},       // too small at 100, kept at 99
            {640, 480, "i", 0x123456789ABCDEF0ull, nullptr, nullptr, 1},     // embedding duplicate of 12
            {700, 500, "j", 0xFEDCBA9876543210ull, nullptr, nullptr, 1},     // more pixels: keeps
        };
        int id = 0;
        for (const Img &im : images) {
            ++id;
            QVERIFY(s.exec(QStringLiteral("INSERT INTO images(id, image_key, path, refusal, probed, failure, width, height, sha256, phash)"
                                          " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                           {id, QStringLiteral("k%1").arg(id), im.refusal ? QVariant() : QVariant(QStringLiteral("/img/%1.png").arg(id)),
                            im.refusal ? QVariant(QString::fromLatin1(im.refusal)) : QVariant(), im.probed,
                            im.failure ? QVariant(QString::fromLatin1(im.failure)) : QVariant(), im.w, im.h,
                            im.sha ? QVariant(QString::fromLatin1(im.sha)) : QVariant(), qint64(im.phash)}));
        }
        // What the embed stage stores: images whose embeddings nearly coincide.
        QVERIFY(s.exec(QStringLiteral("INSERT INTO image_pairs(kind, a, b, score) VALUES('embedding', 11, 12, 0.99)")));
        struct Sen { const char *kind; int words; double entropy; int url, email, emoji; const char *text, *key; };
        const Sen sentences[] = {
            {"text", 8, 2.5, 0, 0, 0, "A fine sentence about cats.", "a fine sentence about cats"},
            {"text", 8, 2.5, 0, 0, 0, "A fine sentence about cats.", "a fine sentence about cats"},   // exact duplicate
            {"text", 8, 2.5, 0, 0, 0, "A FINE sentence about cats!", "a fine sentence about cats"},   // normalised duplicate
            {"code", 5, 2.0, 0, 0, 0, "int main() { return 0; }", "int main return 0"},
            {"nav", 4, 2.0, 0, 0, 0, "Home | About | Contact", "home about contact"},
            {"text", 6, 2.2, 1, 0, 0, "See https://example.org for more.", "see for more"},
            {"text", 6, 2.2, 0, 1, 0, "Mail me at a@b.org please now.", "mail me at please now"},
            {"text", 6, 2.2, 0, 0, 1, "Nice picture 😀 of the sea.", "nice picture of the sea"},
            {"text", 2, 1.0, 0, 0, 0, "Too short.", "too short"},
            {"text", 120, 6.0, 0, 0, 0, "Very long ...", "very long"},
            {"text", 5, 0.2, 0, 0, 0, "the the the the the", "the the the the the"},
            {"text", 5, 0.3, 0, 0, 0, "on the threshold exactly", "on the threshold exactly"},
        };
        id = 0;
        for (const Sen &se : sentences) {
            ++id;
            QVERIFY(s.exec(QStringLiteral("INSERT INTO sentences(id, document_id, position, block, kind, text, words, entropy, has_url, has_email,"
                                          " has_emoji, dedup_key) VALUES(?, 1, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)"),
                           {id, id, QString::fromLatin1(se.kind), QString::fromUtf8(se.text), se.words, se.entropy, se.url, se.email,
                            se.emoji, QString::fromUtf8(se.key)}));
        }
    }

    void matchesExtractStage_data()
    {
        QTest::addColumn<QStringList>("settings");
        QTest::newRow("defaults") << QStringList{};
        QTest::newRow("min_side 99") << QStringList{QStringLiteral("extract.min_side=99")};
        QTest::newRow("min_side 700") << QStringList{QStringLiteral("extract.min_side=700")};
        QTest::newRow("aspect 6, no near") << QStringList{QStringLiteral("extract.max_aspect=6"), QStringLiteral("extract.near_duplicates=false")};
        QTest::newRow("max_pixels 400000") << QStringList{QStringLiteral("extract.max_pixels=400000")};
        QTest::newRow("keep code/nav/urls") << QStringList{QStringLiteral("extract.drop_code=false"), QStringLiteral("extract.drop_nav=false"),
                                                           QStringLiteral("extract.drop_urls=false")};
        QTest::newRow("words 1..200, no dedup") << QStringList{QStringLiteral("extract.min_words=1"), QStringLiteral("extract.max_words=200"),
                                                               QStringLiteral("extract.dedup_sentences=false")};
        QTest::newRow("entropy 0.3 boundary") << QStringList{QStringLiteral("extract.min_entropy=0.3")};
        QTest::newRow("entropy 3") << QStringList{QStringLiteral("extract.min_entropy=3")};
        QTest::newRow("embedding pair split by min_side") << QStringList{QStringLiteral("extract.min_side=490")};
        QTest::newRow("embedding keeper over max_pixels") << QStringList{QStringLiteral("extract.max_pixels=320000")};
    }

    void matchesExtractStage()
    {
        QFETCH(QStringList, settings);
        Recipe recipe;
        for (const QString &s : settings)
            QVERIFY(recipe.setAssignment(s));
        auto live = LiveDecisions::load(*m_store, recipe);
        QVERIFY2(live, qPrintable(live ? QString() : live.error().toString()));
        JobContext ctx;
        QVERIFY(ExtractStage::decideImages(*m_store, recipe, ctx));
        QVERIFY(ExtractStage::decideSentences(*m_store, recipe, ctx));
        QCOMPARE(liveReasons(live->decideImages(recipe), live->reasonNames(LiveDecisions::Table::Images)),
                 storedReasons(*m_store, QStringLiteral("images")));
        QCOMPARE(liveReasons(live->decideSentences(recipe), live->reasonNames(LiveDecisions::Table::Sentences)),
                 storedReasons(*m_store, QStringLiteral("sentences")));
    }

    void countsAndHistogram()
    {
        Recipe recipe;
        auto live = LiveDecisions::load(*m_store, recipe);
        QVERIFY(live);
        auto out = live->decide(recipe, QStringLiteral("extract.min_side"), 10);
        QCOMPARE(out.table, LiveDecisions::Table::Images);
        QCOMPARE(out.counts.total, 12);
        // Kept at min_side 100: #5 (#2 is an exact copy of #1; #1 and #5 are near duplicates and #5 has more pixels)
        // and #12 (#11 is its embedding duplicate).
        const QStringList names = live->reasonNames(LiveDecisions::Table::Images);
        QCOMPARE(out.counts.kept, 2);
        QCOMPARE(out.counts.byReason[size_t(names.indexOf(QStringLiteral("too_small")))], 2);
        QCOMPARE(out.counts.byReason[size_t(names.indexOf(QStringLiteral("embedding_duplicate")))], 1);
        QVERIFY(names.contains(QStringLiteral("weird_new_reason")));
        // The histogram counts the 8 decodable images, split kept/dropped.
        double kept = 0, dropped = 0;
        for (size_t b = 0; b < out.histogram.kept.size(); ++b) {
            kept += out.histogram.kept[b];
            dropped += out.histogram.dropped[b];
        }
        QCOMPARE(kept, 2.0);
        QCOMPARE(kept + dropped, 8.0);
        QCOMPARE(out.histogram.edges.size(), size_t(11));
        QCOMPARE(out.histogram.edges.front(), 90.0);
        QVERIFY(qAbs(out.histogram.edges.back() - 600.0) < 1e-6);
        QCOMPARE(out.histogram.threshold, 100.0);

        QVERIFY(recipe.set(QStringLiteral("extract.min_side"), QStringLiteral("90")));
        out = live->decide(recipe, QStringLiteral("extract.min_side"), 10);
        QCOMPARE(out.counts.kept, 3); // #10 (99x99) comes back; #3 (90x300) now fails the aspect ratio
        QCOMPARE(live->rowOfImage(5), 4);
        QCOMPARE(live->rowOfImage(99), -1);
    }

    // Thousands of preview/stage comparisons over random recipes: the
    // preview and the stage share their kernels, so this checks that loading,
    // deciding and writing agree for every reason the store can hold.
    void randomRecipesAgree()
    {
        std::mt19937 rng(20261202);
        auto pick = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
        auto coin = [&]() { return rng() % 2 == 0 ? QStringLiteral("true") : QStringLiteral("false"); };
        JobContext ctx;
        int comparisons = 0, keeperTrials = 0;
        for (int trial = 0; trial < 300; ++trial) {
            Recipe recipe;
            QVERIFY(recipe.set(QStringLiteral("extract.min_side"), QString::number(int(pick(1, 800)))));
            QVERIFY(recipe.set(QStringLiteral("extract.max_aspect"), QString::number(pick(1, 8))));
            QVERIFY(recipe.set(QStringLiteral("extract.max_pixels"), QString::number(qint64(pick(1e4, 1e6)))));
            QVERIFY(recipe.set(QStringLiteral("extract.near_duplicates"), coin()));
            QVERIFY(recipe.set(QStringLiteral("extract.min_words"), QString::number(int(pick(0, 10)))));
            QVERIFY(recipe.set(QStringLiteral("extract.max_words"), QString::number(int(pick(5, 200)))));
            QVERIFY(recipe.set(QStringLiteral("extract.min_entropy"), QString::number(pick(0, 3))));
            for (const char *key : {"extract.drop_code", "extract.drop_nav", "extract.drop_urls", "extract.drop_emails",
                                    "extract.drop_emoji", "extract.dedup_sentences"})
                QVERIFY(recipe.set(QLatin1String(key), coin()));
            // Curator keepers of duplicate groups (issue 13) change which
            // image of a group survives; the preview must follow them too.
            // Groups: {1, 2, 5} (exact and near), {11, 12} (embedding).
            QVERIFY(m_store->exec(QStringLiteral("DELETE FROM duplicate_keepers")));
            std::vector<qint64> keepers;
            for (qint64 candidate : {1, 2, 5, 11, 12, 3})
                if (rng() % 4 == 0) {
                    keepers.push_back(candidate);
                    QVERIFY(m_store->exec(QStringLiteral("INSERT INTO duplicate_keepers(image_id, at) VALUES(?, 'now')"), {candidate}));
                }
            auto live = LiveDecisions::load(*m_store, recipe);
            QVERIFY(live);
            QVERIFY(ExtractStage::decideImages(*m_store, recipe, ctx));
            QVERIFY(ExtractStage::decideSentences(*m_store, recipe, ctx));
            const QStringList images = storedReasons(*m_store, QStringLiteral("images"));
            const QStringList sentences = storedReasons(*m_store, QStringLiteral("sentences"));
            QCOMPARE(liveReasons(live->decideImages(recipe), live->reasonNames(LiveDecisions::Table::Images)), images);
            QCOMPARE(liveReasons(live->decideSentences(recipe), live->reasonNames(LiveDecisions::Table::Sentences)), sentences);
            comparisons += int(images.size() + sentences.size());
            // A group's only keeper is never the one rejected as its duplicate.
            const auto onlyKeeperOf = [&](std::initializer_list<qint64> group, qint64 id) {
                int n = 0;
                for (qint64 g : group)
                    n += std::count(keepers.begin(), keepers.end(), g) ? 1 : 0;
                return n == 1 && std::count(keepers.begin(), keepers.end(), id);
            };
            for (qint64 id : {1, 2, 5})
                if (onlyKeeperOf({1, 2, 5}, id))
                    QVERIFY2(!images.value(int(id - 1)).endsWith(QLatin1String("_duplicate")),
                             qPrintable(QStringLiteral("image %1: %2; all: %3").arg(id).arg(images.value(int(id - 1)), images.join(QLatin1Char(',')))));
            for (qint64 id : {11, 12})
                if (onlyKeeperOf({11, 12}, id))
                    QVERIFY2(images.value(int(id - 1)) != QLatin1String("embedding_duplicate"), qPrintable(images.value(int(id - 1))));
            keeperTrials += keepers.empty() ? 0 : 1;
        }
        QVERIFY(comparisons > 5000);
        QVERIFY(keeperTrials > 100);
        QVERIFY(m_store->exec(QStringLiteral("DELETE FROM duplicate_keepers")));
    }

    // Re-deciding with another threshold and back restores every verdict,
    // the embed stage's embedding duplicates included, and the verdict digest
    // that stage state compares.
    void roundTripRestoresVerdicts()
    {
        JobContext ctx;
        Recipe defaults;
        QVERIFY(ExtractStage::decideImages(*m_store, defaults, ctx));
        QVERIFY(ExtractStage::decideSentences(*m_store, defaults, ctx));
        const QStringList before = storedReasons(*m_store, QStringLiteral("images"));
        QCOMPARE(before.value(10), QStringLiteral("embedding_duplicate"));
        QCOMPARE(m_store->scalar(QStringLiteral("SELECT duplicate_of FROM images WHERE id = 11"))->toLongLong(), 12);
        const QStringList beforeEmbed = Pipeline::stagesBefore(QStringLiteral("embed"));
        const QStringList beforeRetrieve = Pipeline::stagesBefore(QStringLiteral("retrieve"));
        const QString embedInputs = verdictDigest(*m_store, beforeEmbed).value();
        const QString retrieveInputs = verdictDigest(*m_store, beforeRetrieve).value();

        Recipe raised;
        QVERIFY(raised.set(QStringLiteral("extract.min_side"), QStringLiteral("700")));
        QVERIFY(ExtractStage::decideImages(*m_store, raised, ctx));
        QCOMPARE(storedReasons(*m_store, QStringLiteral("images")).value(10), QStringLiteral("too_small"));
        QVERIFY(verdictDigest(*m_store, beforeEmbed).value() != embedInputs);

        QVERIFY(ExtractStage::decideImages(*m_store, defaults, ctx));
        QCOMPARE(storedReasons(*m_store, QStringLiteral("images")), before);
        QCOMPARE(verdictDigest(*m_store, beforeEmbed).value(), embedInputs);
        QCOMPARE(verdictDigest(*m_store, beforeRetrieve).value(), retrieveInputs);
        // The embed stage's own verdicts are an input of retrieve, not of embed.
        QVERIFY(embedInputs != retrieveInputs);
    }

    // The sample stage and the preview agree on every count for random
    // sample settings, and nothing without texts is ever selected.
    void sampleStageAndPreviewAgree()
    {
        QTemporaryDir dir;
        auto created = ProjectStore::create(dir.filePath(QStringLiteral("s")));
        QVERIFY(created);
        ProjectStore &s = **created;
        std::mt19937 rng(7);
        std::uniform_real_distribution<double> uni(0, 1);
        QVERIFY(s.exec(QStringLiteral("INSERT INTO sources(id, format, path, added_at) VALUES(1, 'html', '/x', 'now')")));
        QVERIFY(s.exec(QStringLiteral("INSERT INTO documents(id, source_id, doc_key) VALUES(1, 1, 'd1')")));
        QVERIFY(s.exec(QStringLiteral("INSERT INTO sentences(id, document_id, position, block, kind, text, words, entropy, has_url,"
                                      " has_email, has_emoji, dedup_key) VALUES(1, 1, 0, 0, 'text', 'A sentence.', 5, 2, 0, 0, 0, 'a')")));
        const int n = 80;
        auto emb = EmbeddingStore::open(EmbeddingStore::projectDir(s), QStringLiteral("images"), QStringLiteral("test"), 8);
        QVERIFY(emb);
        QVector<qint64> embedded;
        for (int id = 1; id <= n; ++id) {
            const int side = uni(rng) < 0.1 ? 50 : 200 + int(uni(rng) * 300);
            QVERIFY(s.exec(QStringLiteral("INSERT INTO images(id, image_key, path, probed, width, height, sha256, phash)"
                                          " VALUES(?, ?, ?, 1, ?, ?, ?, ?)"),
                           {id, QStringLiteral("k%1").arg(id), QStringLiteral("/i/%1.png").arg(id), side, side,
                            QStringLiteral("sha%1").arg(id), qint64(rng()) << 32 | qint64(rng())}));
            if (uni(rng) < 0.9)
                embedded.push_back(id);
            if (uni(rng) < 0.85)
                QVERIFY(s.exec(QStringLiteral("INSERT INTO retrievals(image_id, rank, sentence_id, score) VALUES(?, 0, 1, 0.5)"), {id}));
            if (uni(rng) < 0.9)
                QVERIFY(s.exec(QStringLiteral("INSERT INTO generations(image_id, input_hash, synthetic_text, generator, similarity, created_at)"
                                              " VALUES(?, 'h', ?, 'test', ?, 'now')"),
                               {id, uni(rng) < 0.1 ? QString() : QStringLiteral("A synthetic text."), 0.2 + 0.3 * uni(rng)}));
        }
        Matrix vectors(embedded.size(), 8);
        for (float &v : vectors.data)
            v = float(uni(rng));
        QVERIFY((*emb)->put(embedded, vectors));
        QVERIFY((*emb)->flush());
        emb->reset();
        JobContext ctx;
        QVERIFY(ExtractStage::decideImages(s, Recipe(), ctx));

        for (int trial = 0; trial < 120; ++trial) {
            Recipe recipe;
            QVERIFY(recipe.set(QStringLiteral("sample.clusters"), QStringLiteral("6")));
            const char *bands[] = {"off", "absolute", "percentile"};
            QVERIFY(recipe.set(QStringLiteral("sample.band"), QLatin1String(bands[trial % 3])));
            QVERIFY(recipe.set(QStringLiteral("sample.min_similarity"), QString::number(0.2 + 0.15 * uni(rng))));
            QVERIFY(recipe.set(QStringLiteral("sample.max_similarity"), QString::number(0.35 + 0.15 * uni(rng))));
            QVERIFY(recipe.set(QStringLiteral("sample.low_percentile"), QString::number(int(uni(rng) * 30))));
            QVERIFY(recipe.set(QStringLiteral("sample.high_percentile"), QString::number(int(uni(rng) * 30))));
            QVERIFY(recipe.set(QStringLiteral("sample.method"), uni(rng) < 0.5 ? QStringLiteral("cap") : QStringLiteral("metaclip")));
            QVERIFY(recipe.set(QStringLiteral("sample.cap"), QString::number(1 + int(uni(rng) * 15))));
            QVERIFY(recipe.set(QStringLiteral("sample.t"), QString::number(1 + uni(rng) * 15)));
            QVERIFY(recipe.set(QStringLiteral("seed"), QString::number(trial)));
            QVERIFY2(SampleStage().run(s, recipe, ctx), "sample stage failed");
            auto live = LiveDecisions::load(s, recipe);
            QVERIFY(live);
            const auto out = live->decide(recipe, QStringLiteral("sample.cap"));
            const QStringList reasons = live->reasonNames(LiveDecisions::Table::Sample);
            QCOMPARE(out.counts.kept, s.scalar(QStringLiteral("SELECT count(*) FROM images WHERE sampled = 1"))->toLongLong());
            for (int r = 0; r < reasons.size(); ++r)
                QCOMPARE(out.counts.byReason[size_t(r)],
                         s.scalar(QStringLiteral("SELECT count(*) FROM images WHERE sample_reason = ?"), {reasons[r]})->toLongLong());
            // Nothing selected lacks a retrieved and a synthetic text.
            QCOMPARE(s.scalar(QStringLiteral("SELECT count(*) FROM images i LEFT JOIN generations g ON g.image_id = i.id"
                                             " WHERE i.sampled = 1 AND (coalesce(g.synthetic_text, '') = ''"
                                             " OR NOT EXISTS (SELECT 1 FROM retrievals r WHERE r.image_id = i.id))"))->toLongLong(),
                     qint64(0));
        }
        QVERIFY(s.scalar(QStringLiteral("SELECT count(*) FROM images WHERE sample_reason = 'missing_texts'"))->toLongLong() > 0);
    }

    void emptyProject()
    {
        QTemporaryDir dir;
        auto store = ProjectStore::create(dir.filePath(QStringLiteral("empty")));
        QVERIFY(store);
        Recipe recipe;
        auto live = LiveDecisions::load(**store, recipe);
        QVERIFY(live);
        for (const QString &key : LiveDecisions::liveKeys()) {
            const auto out = live->decide(recipe, key);
            QCOMPARE(out.counts.total, 0);
            QCOMPARE(out.counts.kept, 0);
        }
        QCOMPARE(LiveDecisions::tableOf(QStringLiteral("extract.phash_distance")), LiveDecisions::Table::None);
        QCOMPARE(LiveDecisions::tableOf(QStringLiteral("no.such.key")), LiveDecisions::Table::None);
    }

    void synthetic()
    {
        const LiveDecisions a = LiveDecisions::synthetic(20000, 20000, 7);
        const LiveDecisions b = LiveDecisions::synthetic(20000, 20000, 7);
        Recipe recipe;
        const auto oa = a.decide(recipe, QStringLiteral("extract.min_words"));
        const auto ob = b.decide(recipe, QStringLiteral("extract.min_words"));
        QCOMPARE(oa.counts.kept, ob.counts.kept); // deterministic for a seed
        QVERIFY(oa.counts.kept > 10000 && oa.counts.kept < 19000);
        // Raising a threshold never keeps more.
        QVERIFY(recipe.set(QStringLiteral("extract.min_words"), QStringLiteral("10")));
        QVERIFY(a.decide(recipe, QStringLiteral("extract.min_words")).counts.kept < oa.counts.kept);
        // Cap preview: a smaller cap keeps fewer, never more than the clustered images.
        Recipe capped;
        QVERIFY(capped.set(QStringLiteral("sample.band"), QStringLiteral("off")));
        QVERIFY(capped.set(QStringLiteral("sample.cap"), QStringLiteral("5")));
        const auto c5 = a.decide(capped, QStringLiteral("sample.cap"));
        QVERIFY(capped.set(QStringLiteral("sample.cap"), QStringLiteral("50")));
        const auto c50 = a.decide(capped, QStringLiteral("sample.cap"));
        QVERIFY(c5.counts.kept < c50.counts.kept);
        QVERIFY(c50.counts.kept <= c50.counts.total);
        QCOMPARE(c50.histogram.threshold, 50.0);
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<ProjectStore> m_store;
};

QTEST_GUILESS_MAIN(TestLiveDecisions)
#include "test_livedecisions.moc"
