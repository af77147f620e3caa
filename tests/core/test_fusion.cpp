#include "core/index/bm25index.h"
#include "core/index/fusion.h"

#include <QTest>

using namespace rs;

namespace {

Matrix rows(const std::vector<std::vector<float>> &r)
{
    Matrix m(qint64(r.size()), int(r.front().size()));
    for (size_t i = 0; i < r.size(); ++i)
        std::copy(r[i].begin(), r[i].end(), m.row(qint64(i)));
    m.normalizeRows();
    return m;
}

qint64 top(const std::vector<Candidate> &c, const SignalWeights &w)
{
    const auto hits = rankCandidates(c, w, 1);
    return hits.empty() ? -1 : hits.front().item;
}

} // namespace

class TestFusion : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        // Row 0 looks like the image; rows 3 and 4 share its words; row 5 is
        // the page sentence the context query is made of.
        m_texts = QStringList{QStringLiteral("a photograph of mountains at dawn"),
                              QStringLiteral("the gradient tool blends two colours"),
                              QStringLiteral("select the layer to move"),
                              QStringLiteral("the brushes dialog lists every brush preset"),
                              QStringLiteral("brush size and spacing set the stroke"),
                              QStringLiteral("click the brushes dialog tab in the dock")};
        m_pool = rows({{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0.2f, 0, 1}, {0, 0, 0.3f, 1}, {0.1f, 0, 0, 1}});
        m_lexical = Bm25Index::build(m_texts);
    }

    void eachSignalFindsItsOwnEvidence()
    {
        FusionInput in;
        in.sentences = &m_pool;
        in.lexical = &m_lexical;
        in.visual = rows({{1, 0.05f, 0, 0}, {0, 0, 1, 0.1f}});
        in.ocrText = QStringList{QStringLiteral("Brush Size Spacing"), QString()};
        in.contextText = QStringList{QStringLiteral("click the brushes dialog tab in the dock"), QString()};
        in.excluded = {{5}, {}};
        // No text tower here: OCR and context are BM25 only.
        const DenseSearch exact = [this](const Matrix &q, int k) { return exactSearch(m_pool, q, k); };
        FusionOptions opts;
        opts.perPart = 3;
        auto cands = gatherCandidates(in, exact, opts);
        QVERIFY2(cands.ok(), cands.ok() ? "" : qPrintable(cands.error().toString()));
        QCOMPARE(cands->size(), size_t(2));
        const auto &c0 = (*cands)[0];
        for (const Candidate &c : c0) {
            QVERIFY2(c.item != 5, "a sentence of the query itself must not be returned");
            for (float s : c.signal)
                QVERIFY(s >= 0.f && s <= 1.f);
        }
        QCOMPARE(top(c0, SignalWeights::only(int(Signal::Visual))), qint64(0));
        QCOMPARE(top(c0, SignalWeights::only(int(Signal::Ocr))), qint64(4));
        QCOMPARE(top(c0, SignalWeights::only(int(Signal::Context))), qint64(3));
        // Lexical candidates join the dense ones: row 3 and 4 are far from the
        // image vector but are candidates.
        bool has3 = false, has4 = false;
        for (const Candidate &c : c0) {
            has3 |= c.item == 3;
            has4 |= c.item == 4;
        }
        QVERIFY(has3 && has4);
        // Weights steer the fused ranking.
        SignalWeights textOnly;
        textOnly.w = {{0.f, 1.f, 0.f, 0.f}};
        QCOMPARE(top(c0, textOnly), qint64(4));
        SignalWeights visualHeavy;
        visualHeavy.w = {{10.f, 0.1f, 0.1f, 0.1f}};
        QCOMPARE(top(c0, visualHeavy), qint64(0));

        // An image with nothing to read: only the visual signal can rank,
        // the text signals find nothing (a miss, not noise).
        const auto &c1 = (*cands)[1];
        QVERIFY(!c1.empty());
        for (const Candidate &c : c1) {
            QCOMPARE(c.signal[size_t(Signal::Ocr)], 0.f);
            QCOMPARE(c.signal[size_t(Signal::Context)], 0.f);
            QCOMPARE(c.signal[size_t(Signal::Lexical)], 0.f);
        }
        QVERIFY(rankCandidates(c1, SignalWeights::only(int(Signal::Ocr)), 3).empty());
        QCOMPARE(top(c1, SignalWeights::only(int(Signal::Visual))), qint64(2));
    }

    void textTowerVectorsAddDenseEvidence()
    {
        FusionInput in;
        in.sentences = &m_pool;
        in.lexical = &m_lexical;
        in.visual = rows({{1, 0, 0, 0}});
        in.ocrText = QStringList{QStringLiteral("zzz unknown words")};
        in.contextText = QStringList{QString()};
        in.excluded = {{}};
        // The OCR text's vector points at row 1 though BM25 knows none of its words.
        in.ocrDense = rows({{0, 1, 0, 0}});
        in.contextDense = Matrix(1, 4);
        const DenseSearch exact = [this](const Matrix &q, int k) { return exactSearch(m_pool, q, k); };
        auto cands = gatherCandidates(in, exact, FusionOptions{});
        QVERIFY(cands.ok());
        QCOMPARE(top((*cands)[0], SignalWeights::only(int(Signal::Ocr))), qint64(1));
        QVERIFY(rankCandidates((*cands)[0], SignalWeights::only(int(Signal::Context)), 3).empty());
    }

    void ownTextOutweighsItsNeighbours()
    {
        // The neighbour sentence has a near-copy elsewhere (row 5 vs row 3);
        // the image's own caption names row 2's topic.
        FusionInput in;
        in.sentences = &m_pool;
        in.lexical = &m_lexical;
        in.visual = rows({{0, 0, 0.1f, 0.1f}});
        in.ocrText = QStringList{QString()};
        in.contextText = QStringList{QStringLiteral("the brushes dialog lists every brush preset")};
        in.ownText = QStringList{QStringLiteral("select the layer")};
        in.excluded = {{}};
        const DenseSearch exact = [this](const Matrix &q, int k) { return exactSearch(m_pool, q, k); };
        auto cands = gatherCandidates(in, exact, FusionOptions{});
        QVERIFY(cands.ok());
        QCOMPARE(top((*cands)[0], SignalWeights::only(int(Signal::Context))), qint64(2));
        // Without own text the neighbours decide.
        in.ownText.clear();
        cands = gatherCandidates(in, exact, FusionOptions{});
        QVERIFY(cands.ok());
        QCOMPARE(top((*cands)[0], SignalWeights::only(int(Signal::Context))), qint64(3));
    }

    void inconsistentInputIsAnError()
    {
        FusionInput in;
        in.sentences = &m_pool;
        in.lexical = &m_lexical;
        in.visual = rows({{1, 0, 0, 0}});
        in.ocrText = QStringList{};
        in.contextText = QStringList{QString()};
        in.excluded = {{}};
        const DenseSearch exact = [this](const Matrix &q, int k) { return exactSearch(m_pool, q, k); };
        auto cands = gatherCandidates(in, exact, FusionOptions{});
        QVERIFY(!cands.ok());
        QCOMPARE(cands.error().code, ErrorCode::InvalidArgument);
    }

    void fusedScoreIsAWeightedMean()
    {
        Candidate c;
        c.signal = {{1.f, 0.5f, 0.f, 0.25f}};
        SignalWeights w;
        w.w = {{1.f, 2.f, 0.f, 1.f}};
        QCOMPARE(fusedScore(c, w), (1.f + 1.f + 0.25f) / 4.f);
        w.w = {{0.f, 0.f, 0.f, 0.f}};
        QCOMPARE(fusedScore(c, w), 0.f);
        QCOMPARE(signalName(0), QStringLiteral("visual"));
        QCOMPARE(signalName(3), QStringLiteral("lexical"));
    }

private:
    QStringList m_texts;
    Matrix m_pool;
    Bm25Index m_lexical;
};

QTEST_GUILESS_MAIN(TestFusion)
#include "test_fusion.moc"
