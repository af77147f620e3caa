// The near-duplicate review: groups of both kinds come from the image
// decision kernel with their distances, a slider value previews what the
// stage then writes, and the curator's keeper wins over the automatic one on
// every re-run of extract and embed, also after a settings round trip.

#include "core/embed/embeddingstore.h"
#include "core/embed/embedstage.h"
#include "core/extract/extractstage.h"
#include "core/pipeline/duplicatereview.h"
#include "core/pipeline/livedecisions.h"
#include "core/store/curation.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace rs;

namespace {

struct StoredVerdict {
    QString reason;
    qint64 duplicateOf = 0;
};

StoredVerdict verdictOf(ProjectStore &store, qint64 id)
{
    auto q = store.exec(QStringLiteral("SELECT coalesce(reject_reason, ''), coalesce(duplicate_of, 0) FROM images WHERE id = ?"), {id});
    if (!q || !q->next())
        return {QStringLiteral("<missing>"), 0};
    return {q->value(0).toString(), q->value(1).toLongLong()};
}

std::vector<qint64> idsOf(const DuplicateReview::Group &g)
{
    std::vector<qint64> ids;
    for (const DuplicateReview::Member &m : g.members)
        ids.push_back(m.id);
    return ids;
}

const DuplicateReview::Group *groupOf(const DuplicateReview::Outcome &out, DuplicateReview::Kind kind)
{
    for (const DuplicateReview::Group &g : out.groups)
        if (g.kind == kind)
            return &g;
    return nullptr;
}

} // namespace

class TestDuplicateReview : public QObject {
    Q_OBJECT

    Status runExtractAndEmbed(const Recipe &recipe)
    {
        JobContext ctx;
        if (Status s = ExtractStage().run(*m_store, recipe, ctx); !s)
            return s;
        return EmbedStage().run(*m_store, recipe, ctx);
    }

    Recipe recipeWith(const QString &key, const QString &value) const
    {
        Recipe r = m_recipe;
        [&] { QVERIFY(r.set(key, value)); }();
        return r;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto store = ProjectStore::create(m_dir.filePath(QStringLiteral("p")));
        QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
        m_store = std::move(store.value());
        ProjectStore &s = *m_store;
        // 1 and 2: one picture, 1 bit apart (2 is larger: the automatic keeper).
        // 3, 4, 5: different hashes; their embeddings are 3~4 at 0.99 and
        // 5 at about 0.9 from both (4 is the largest of the three).
        struct Img { int w, h; quint64 phash; };
        const Img images[] = {
            {640, 480, 0x0F0F0F0F0F0F0F0Full},
            {800, 600, 0x0F0F0F0F0F0F0F0Eull},
            {640, 480, 0x123456789ABCDEF0ull},
            {700, 500, 0xFEDCBA9876543210ull},
            {600, 450, 0x00FF00FF00FF00FFull},
        };
        int id = 0;
        for (const Img &im : images) {
            ++id;
            QVERIFY(s.exec(QStringLiteral("INSERT INTO images(id, image_key, path, probed, width, height, sha256, phash)"
                                          " VALUES(?, ?, ?, 1, ?, ?, ?, ?)"),
                           {id, QStringLiteral("k%1").arg(id), QStringLiteral("/img/%1.png").arg(id), im.w, im.h,
                            QStringLiteral("sha%1").arg(id), qint64(im.phash)}));
        }
        // Imported vectors: the real embed stage re-runs without an encoder.
        const QString dir = EmbeddingStore::projectDir(s);
        QVERIFY(QDir().mkpath(dir));
        auto vectors = EmbeddingStore::open(dir, QStringLiteral("images"), QStringLiteral("test"), 4);
        QVERIFY(vectors);
        Matrix m(5, 4);
        const float rows[5][4] = {{0, 0, 1, 0}, {0, 0, 0, 1}, {1, 0, 0, 0}, {0.99f, 0.141f, 0, 0}, {0.9f, 0, 0.436f, 0}};
        for (int r = 0; r < 5; ++r)
            std::copy_n(rows[r], 4, m.row(r));
        m.normalizeRows();
        QVERIFY((*vectors)->put({1, 2, 3, 4, 5}, m));
        QVERIFY((*vectors)->flush());
        auto sentences = EmbeddingStore::open(dir, QStringLiteral("sentences"), QStringLiteral("test"), 4);
        QVERIFY(sentences);
        QVERIFY((*sentences)->flush());
        QVERIFY(m_recipe.set(QStringLiteral("embed.model"), QStringLiteral("imported:test")));
        QVERIFY(m_recipe.set(QStringLiteral("extract.phash_distance"), QStringLiteral("3")));
        QVERIFY(m_recipe.set(QStringLiteral("embed.dedup_threshold"), QStringLiteral("0.97")));
        QVERIFY(m_recipe.save(s));
        const Status ran = runExtractAndEmbed(m_recipe);
        QVERIFY2(ran, qPrintable(ran ? QString() : ran.error().toString()));
    }

    // Both kinds of group, the largest member keeping, with distances.
    void groupsWithDistances()
    {
        QCOMPARE(verdictOf(*m_store, 1).reason, QStringLiteral("near_duplicate"));
        QCOMPARE(verdictOf(*m_store, 1).duplicateOf, qint64(2));
        QCOMPARE(verdictOf(*m_store, 3).reason, QStringLiteral("embedding_duplicate"));
        QCOMPARE(verdictOf(*m_store, 3).duplicateOf, qint64(4));
        QCOMPARE(verdictOf(*m_store, 5).reason, QString());
        for (auto vectors : {DuplicateReview::Vectors::Stored, DuplicateReview::Vectors::Load}) {
            auto review = DuplicateReview::load(*m_store, m_recipe, vectors);
            QVERIFY(review);
            const DuplicateReview::Outcome out = review->decide(m_recipe);
            QCOMPARE(out.groups.size(), size_t(2));
            QCOMPARE(out.groupCount[0], qint64(1));
            QCOMPARE(out.duplicateCount[1], qint64(1));
            const auto *phash = groupOf(out, DuplicateReview::Kind::Phash);
            QVERIFY(phash);
            QCOMPARE(idsOf(*phash), (std::vector<qint64>{2, 1}));
            QCOMPARE(phash->members[1].distance, 1.0);
            QVERIFY(!phash->curatorKeeper);
            const auto *embedding = groupOf(out, DuplicateReview::Kind::Embedding);
            QVERIFY(embedding);
            QCOMPARE(idsOf(*embedding), (std::vector<qint64>{4, 3}));
            QVERIFY(std::abs(embedding->members[1].distance - 0.99) < 0.01);
        }
    }

    // What a slider value shows is what the stage then writes.
    void sliderPreviewMatchesStage()
    {
        auto review = DuplicateReview::load(*m_store, m_recipe, DuplicateReview::Vectors::Load);
        QVERIFY(review);
        const Recipe looser = recipeWith(QStringLiteral("embed.dedup_threshold"), QStringLiteral("0.85"));
        const DuplicateReview::Outcome preview = review->decide(looser);
        const auto *embedding = groupOf(preview, DuplicateReview::Kind::Embedding);
        QVERIFY(embedding);
        QCOMPARE(idsOf(*embedding).front(), qint64(4));
        QCOMPARE(embedding->members.size(), size_t(3));
        QVERIFY(runExtractAndEmbed(looser));
        QCOMPARE(verdictOf(*m_store, 5).reason, QStringLiteral("embedding_duplicate"));
        QCOMPARE(verdictOf(*m_store, 5).duplicateOf, qint64(4));

        const Recipe exact = recipeWith(QStringLiteral("extract.phash_distance"), QStringLiteral("0"));
        QCOMPARE(review->decide(exact).groupCount[0], qint64(0));
        QVERIFY(runExtractAndEmbed(exact));
        QCOMPARE(verdictOf(*m_store, 1).reason, QString());

        QVERIFY(runExtractAndEmbed(m_recipe));
        QCOMPARE(verdictOf(*m_store, 1).reason, QStringLiteral("near_duplicate"));
        QCOMPARE(verdictOf(*m_store, 5).reason, QString());
    }

    // The curator's keeper wins for both kinds, through re-runs of extract
    // and embed and a settings round trip, in the stored verdicts and in
    // every reader of the kernel.
    void curatorKeeperWinsOnReruns()
    {
        JobContext ctx;
        QVERIFY(chooseDuplicateKeeper(*m_store, m_recipe, {2, 1}, 1, ctx));
        QVERIFY(chooseDuplicateKeeper(*m_store, m_recipe, {4, 3}, 3, ctx));
        QVERIFY(!chooseDuplicateKeeper(*m_store, m_recipe, {4, 3}, 5, ctx)); // not a member
        QCOMPARE(duplicateKeepers(*m_store).value(), (std::vector<qint64>{1, 3}));
        const auto expectCuratorKeepers = [this] {
            QCOMPARE(verdictOf(*m_store, 2).reason, QStringLiteral("near_duplicate"));
            QCOMPARE(verdictOf(*m_store, 2).duplicateOf, qint64(1));
            QCOMPARE(verdictOf(*m_store, 1).reason, QString());
            QCOMPARE(verdictOf(*m_store, 4).reason, QStringLiteral("embedding_duplicate"));
            QCOMPARE(verdictOf(*m_store, 4).duplicateOf, qint64(3));
            QCOMPARE(verdictOf(*m_store, 3).reason, QString());
        };
        expectCuratorKeepers();

        QVERIFY(runExtractAndEmbed(m_recipe));
        expectCuratorKeepers();
        // A round trip that takes both groups apart (phash distance 0; 1 and
        // 3 too small, so embed pairs without 3) and puts them back.
        Recipe apart = recipeWith(QStringLiteral("extract.phash_distance"), QStringLiteral("0"));
        QVERIFY(apart.set(QStringLiteral("extract.min_side"), QStringLiteral("490")));
        QVERIFY(runExtractAndEmbed(apart));
        QCOMPARE(verdictOf(*m_store, 2).reason, QString());
        QCOMPARE(verdictOf(*m_store, 4).reason, QString());
        QVERIFY(runExtractAndEmbed(m_recipe));
        expectCuratorKeepers();

        // The preview, the review and the stored verdicts agree.
        auto live = LiveDecisions::load(*m_store, m_recipe);
        QVERIFY(live);
        const std::vector<quint8> codes = live->decideImages(m_recipe);
        const QStringList names = live->reasonNames(LiveDecisions::Table::Images);
        for (qint64 id = 1; id <= 5; ++id) {
            const quint8 c = codes[size_t(live->rowOfImage(id))];
            QCOMPARE(c ? names.value(c - 1) : QString(), verdictOf(*m_store, id).reason);
        }
        auto review = DuplicateReview::load(*m_store, m_recipe, DuplicateReview::Vectors::Load);
        QVERIFY(review);
        const DuplicateReview::Outcome out = review->decide(m_recipe);
        QCOMPARE(idsOf(*groupOf(out, DuplicateReview::Kind::Phash)), (std::vector<qint64>{1, 2}));
        QVERIFY(groupOf(out, DuplicateReview::Kind::Phash)->curatorKeeper);
        QCOMPARE(idsOf(*groupOf(out, DuplicateReview::Kind::Embedding)), (std::vector<qint64>{3, 4}));

        // Back to the automatic keeper.
        QVERIFY(applyDuplicateKeepers(*m_store, m_recipe, {{1, false}, {2, false}, {3, false}, {4, false}}, ctx));
        QCOMPARE(verdictOf(*m_store, 1).duplicateOf, qint64(2));
        QCOMPARE(verdictOf(*m_store, 3).duplicateOf, qint64(4));
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<ProjectStore> m_store;
    Recipe m_recipe;
};

QTEST_GUILESS_MAIN(TestDuplicateReview)
#include "test_duplicatereview.moc"
