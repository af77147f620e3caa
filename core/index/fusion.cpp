#include "core/index/fusion.h"

#include "core/index/bm25index.h"
#include "core/store/recipe.h"
#include "core/index/retrievesettings.h"

#include <QHash>

#include <algorithm>
#include <atomic>
#include <unordered_map>
#include <unordered_set>

namespace rs {

namespace {

enum Part { VisualDense, OcrDense, OcrLexical, ContextDense, ContextLexical, OwnDense, OwnLexical, Lexical, kParts };

// Within the context signal: the image's own texts against its neighbours.
constexpr float kOwnShare = 0.75f;

// Per query and part: the range its top list spans, for min-max scaling.
struct Range {
    bool present = false; // the part could query at all
    float hi = 0, lo = 0;
};

float scaled(const Range &r, float s)
{
    if (!r.present)
        return 0.f;
    if (r.hi <= r.lo)
        return s >= r.hi ? 1.f : 0.f;
    return std::clamp((s - r.lo) / (r.hi - r.lo), 0.f, 1.f);
}

float dot(const float *a, const float *b, int d)
{
    float s = 0;
    for (int i = 0; i < d; ++i)
        s += a[i] * b[i];
    return s;
}

bool zeroRow(const Matrix &m, qint64 row)
{
    const float *r = m.row(row);
    return std::all_of(r, r + m.cols, [](float v) { return v == 0.f; });
}

} // namespace

QString signalName(int signal)
{
    static const char *names[] = {"visual", "ocr", "context", "lexical"};
    return signal >= 0 && signal < kSignalCount ? QString::fromLatin1(names[signal]) : QString();
}

SignalWeights SignalWeights::fromRecipe(const Recipe &recipe)
{
    SignalWeights w;
    const RetrieveSettings settings = RetrieveSettings::fromRecipe(recipe);
    static_assert(kSignalCount == int(std::tuple_size_v<decltype(settings.weights)>), "one weight per signal");
    for (int s = 0; s < kSignalCount; ++s)
        w.w[size_t(s)] = float(settings.weights[size_t(s)]);
    return w;
}

SignalWeights SignalWeights::only(int signal)
{
    SignalWeights w;
    w.w.fill(0.f);
    w.w[size_t(signal)] = 1.f;
    return w;
}

float fusedScore(const Candidate &c, const SignalWeights &weights)
{
    float sum = 0, total = 0;
    for (int s = 0; s < kSignalCount; ++s) {
        sum += weights.w[size_t(s)] * c.signal[size_t(s)];
        total += weights.w[size_t(s)];
    }
    return total > 0 ? sum / total : 0.f;
}

std::vector<Hit> rankCandidates(const std::vector<Candidate> &candidates, const SignalWeights &weights, int k, float minScore)
{
    std::vector<Hit> hits;
    hits.reserve(candidates.size());
    for (const Candidate &c : candidates) {
        const float f = fusedScore(c, weights);
        if (f > 0 && f >= minScore)
            hits.push_back({c.item, f});
    }
    const size_t kk = std::min(hits.size(), size_t(std::max(k, 0)));
    std::partial_sort(hits.begin(), hits.begin() + qint64(kk), hits.end(), [](const Hit &a, const Hit &b) {
        return a.score > b.score || (a.score == b.score && a.item < b.item);
    });
    hits.resize(kk);
    return hits;
}

Result<CandidateLists> gatherCandidates(const FusionInput &in, const DenseSearch &dense, const FusionOptions &opts)
{
    if (!in.sentences || !in.lexical)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("fusion needs the sentence matrix and the BM25 index"));
    const qint64 q = in.visual.rows;
    const Matrix &pool = *in.sentences;
    const int d = pool.cols;
    const bool textDense = in.ocrDense.rows == q && in.contextDense.rows == q && q > 0;
    const bool ownDense = textDense && in.ownDense.rows == q;
    const bool hasOwn = !in.ownText.isEmpty();
    if (in.ocrText.size() != q || in.contextText.size() != q || (hasOwn && in.ownText.size() != q) || qint64(in.excluded.size()) != q
        || in.lexical->size() != pool.rows || (q > 0 && in.visual.cols != d)
        || (textDense && (in.ocrDense.cols != d || in.contextDense.cols != d)) || (ownDense && in.ownDense.cols != d))
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("fusion inputs disagree in size"));
    CandidateLists out(static_cast<size_t>(q));
    if (q == 0 || pool.rows == 0)
        return out;

    size_t maxExcluded = 0;
    for (const auto &e : in.excluded)
        maxExcluded = std::max(maxExcluded, e.size());
    // Ask for enough that perPart remain after removing each query's own context.
    const int want = int(std::min<qint64>(pool.rows, qint64(opts.perPart) + qint64(maxExcluded)));

    // Dense proposals, one batched search per part.
    std::array<HitLists, kParts> lists;
    auto denseList = [&](const Matrix &queries, Part part) -> Status {
        auto r = dense(queries, want);
        if (!r)
            return r.error();
        lists[part] = std::move(*r);
        if (qint64(lists[part].size()) != q)
            return makeError(ErrorCode::Internal, QStringLiteral("dense search returned the wrong number of lists"));
        return {};
    };
    if (Status s = denseList(in.visual, VisualDense); !s)
        return s.error();
    if (textDense) {
        if (Status s = denseList(in.ocrDense, OcrDense); !s)
            return s.error();
        if (Status s = denseList(in.contextDense, ContextDense); !s)
            return s.error();
    }
    if (ownDense)
        if (Status s = denseList(in.ownDense, OwnDense); !s)
            return s.error();
    const QStringList noOwn = hasOwn ? QStringList() : QStringList(in.ocrText.size(), QString());
    const QStringList &ownText = hasOwn ? in.ownText : noOwn;
    QStringList lexicalText;
    lexicalText.reserve(in.ocrText.size());
    for (qint64 i = 0; i < q; ++i)
        lexicalText << QString(in.ocrText[i] + QLatin1Char(' ') + ownText[i] + QLatin1Char(' ') + in.contextText[i]).simplified();
    lists[OcrLexical] = in.lexical->searchBatch(in.ocrText, want);
    lists[ContextLexical] = in.lexical->searchBatch(in.contextText, want);
    if (hasOwn)
        lists[OwnLexical] = in.lexical->searchBatch(ownText, want);
    lists[Lexical] = in.lexical->searchBatch(lexicalText, want);

    std::atomic<bool> failed{false};
#pragma omp parallel for schedule(dynamic, 8)
    for (qint64 i = 0; i < q; ++i) {
        try {
            const std::unordered_set<qint64> excluded(in.excluded[size_t(i)].begin(), in.excluded[size_t(i)].end());
            const bool has[kParts] = {
                !zeroRow(in.visual, i),
                textDense && !in.ocrText[i].isEmpty() && !zeroRow(in.ocrDense, i),
                !in.ocrText[i].isEmpty(),
                textDense && !in.contextText[i].isEmpty() && !zeroRow(in.contextDense, i),
                !in.contextText[i].isEmpty(),
                ownDense && !ownText[i].isEmpty() && !zeroRow(in.ownDense, i),
                !ownText[i].isEmpty(),
                !lexicalText[size_t(i)].isEmpty(),
            };
            // Each part's top list without the excluded rows, cut to perPart.
            std::array<Range, kParts> range;
            std::vector<qint64> rows;
            std::unordered_map<qint64, size_t> rowIndex;
            for (int p = 0; p < kParts; ++p) {
                if (!has[p] || lists[size_t(p)].empty())
                    continue;
                int kept = 0;
                for (const Hit &h : lists[size_t(p)][size_t(i)]) {
                    if (excluded.count(h.item))
                        continue;
                    if (kept == 0)
                        range[size_t(p)].hi = h.score;
                    range[size_t(p)].lo = h.score;
                    if (rowIndex.emplace(h.item, rows.size()).second)
                        rows.push_back(h.item);
                    if (++kept >= opts.perPart)
                        break;
                }
                range[size_t(p)].present = kept > 0;
                // A BM25 list shorter than perPart: rows below it score 0,
                // so 0 is the floor; dense lists always fill perPart.
                if (kept < opts.perPart && (p == OcrLexical || p == ContextLexical || p == OwnLexical || p == Lexical))
                    range[size_t(p)].lo = 0;
            }
            // Exact part scores of every candidate.
            std::array<std::vector<float>, kParts> score;
            const Matrix *denseQuery[kParts] = {&in.visual, &in.ocrDense, nullptr, &in.contextDense, nullptr, &in.ownDense, nullptr, nullptr};
            const QString *lexQuery[kParts] = {nullptr, nullptr, &in.ocrText[i], nullptr, &in.contextText[i], nullptr, &ownText[i],
                                               &lexicalText[size_t(i)]};
            for (int p = 0; p < kParts; ++p) {
                if (!range[size_t(p)].present)
                    continue;
                if (denseQuery[p]) {
                    score[size_t(p)].resize(rows.size());
                    const float *qv = denseQuery[p]->row(i);
                    for (size_t r = 0; r < rows.size(); ++r)
                        score[size_t(p)][r] = dot(qv, pool.row(rows[r]), d);
                } else {
                    score[size_t(p)] = in.lexical->scoreRows(*lexQuery[p], rows);
                }
            }
            std::vector<Candidate> &cands = out[size_t(i)];
            cands.resize(rows.size());
            for (size_t r = 0; r < rows.size(); ++r) {
                float part[kParts] = {};
                for (int p = 0; p < kParts; ++p)
                    part[p] = range[size_t(p)].present ? scaled(range[size_t(p)], score[size_t(p)][r]) : 0.f;
                auto mean = [&](Part a, Part b) {
                    const bool ha = range[a].present, hb = range[b].present;
                    return ha && hb ? 0.5f * (part[a] + part[b]) : ha ? part[a] : hb ? part[b] : 0.f;
                };
                Candidate &c = cands[r];
                c.item = rows[r];
                c.signal[size_t(Signal::Visual)] = part[VisualDense];
                c.signal[size_t(Signal::Ocr)] = mean(OcrDense, OcrLexical);
                const bool own = range[OwnDense].present || range[OwnLexical].present;
                const bool neighbours = range[ContextDense].present || range[ContextLexical].present;
                const float ownScore = mean(OwnDense, OwnLexical), neighbourScore = mean(ContextDense, ContextLexical);
                c.signal[size_t(Signal::Context)] = own && neighbours ? kOwnShare * ownScore + (1 - kOwnShare) * neighbourScore
                                                    : own             ? ownScore
                                                                      : neighbourScore;
                c.signal[size_t(Signal::Lexical)] = part[Lexical];
            }
        } catch (...) {
            failed = true; // exceptions must not leave an OpenMP region
        }
    }
    if (failed)
        return makeError(ErrorCode::Internal, QStringLiteral("fusing retrieval signals failed (out of memory?)"));
    return out;
}

} // namespace rs
