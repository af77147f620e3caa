#pragma once
// Fused retrieval: an image's query combines what it looks like with what
// it says and what its pages say about it, each as a separate signal.
//
//   visual   image embedding vs sentence embeddings (dense)
//   ocr      the OCR text: dense (the active encoder's text tower) and BM25
//   context  the page context text (querytexts.h): dense and BM25, with
//            the image's own alt/title/caption (when given) as a separate
//            query that counts 3:1 against the nearest sentences, since a
//            neighbour sentence brings its near-copies on sibling pages
//   lexical  BM25 over OCR and all context text together
//
// Each part (visual dense, ocr dense, ocr BM25, context dense and BM25, own
// text dense and BM25, lexical BM25) proposes its top `perPart` sentences; the dense parts go
// through the caller's dense search (the k-means hierarchy or brute force),
// so lexical candidates join the dense candidate set. Every candidate is
// then scored exactly by every part, and each part's score is min-max
// normalised over its own top list (its best = 1, its perPart-th = 0,
// clamped to [0, 1]); a signal with two parts is their mean. The fused score
// is the weighted mean of the four signals (weights >= 0, not all 0).
//
// Page context enters only as query text: no term depends on where a
// sentence is. The sentences whose text makes up an image's context query
// (ImageQueryText::contextSentences) are removed from its candidates: a text
// matching itself is no evidence.
//
// Rows: `item` is a row of the sentence matrix / BM25 index (the pool).

#include "core/index/retriever.h"
#include "core/util/matrix.h"
#include "core/util/result.h"

#include <QString>
#include <QStringList>

#include <array>
#include <functional>
#include <vector>

namespace rs {

class Bm25Index;
class Recipe;

enum class Signal { Visual = 0, Ocr = 1, Context = 2, Lexical = 3 };
constexpr int kSignalCount = 4;
QString signalName(int signal); // "visual", "ocr", "context", "lexical"

struct SignalWeights {
    std::array<float, kSignalCount> w{{1.f, 1.f, 1.f, 1.f}};
    // retrieve.weight_visual, _ocr, _context, _lexical
    static SignalWeights fromRecipe(const Recipe &recipe);
    // Only `signal` counts (per-signal evaluation).
    static SignalWeights only(int signal);
};

struct Candidate {
    qint64 item = -1;
    std::array<float, kSignalCount> signal{}; // normalised signal scores in [0, 1]
};
using CandidateLists = std::vector<std::vector<Candidate>>; // one list per query

struct FusionInput {
    const Matrix *sentences = nullptr; // n x d pool, unit rows
    const Bm25Index *lexical = nullptr; // over the same n rows
    Matrix visual;                     // q x d image embeddings (rows of zeros: no image vector)
    Matrix ocrDense, contextDense;     // q x d text-tower vectors, or 0 rows when there is no text encoder
    Matrix ownDense;                   // q x d, or 0 rows (no encoder, or no own texts at all)
    QStringList ocrText, contextText;  // q each (empty: nothing to query with); context = nearest sentences
    QStringList ownText;               // q, or empty: the image's own alt/title/caption
    std::vector<std::vector<qint64>> excluded; // per query: rows never returned
};

struct FusionOptions {
    int perPart = 100; // candidates proposed by each part
};

// k best rows of `queries` (q x d) by inner product: the caller's dense index.
using DenseSearch = std::function<Result<HitLists>(const Matrix &queries, int k)>;

// Candidates of every query with their four signal scores (unordered).
// Errors: what the dense search returns; InvalidArgument on inconsistent input.
Result<CandidateLists> gatherCandidates(const FusionInput &input, const DenseSearch &dense, const FusionOptions &opts);

// Fused score of one candidate (weighted mean of its signals).
float fusedScore(const Candidate &c, const SignalWeights &weights);

// Top k candidates by fused score (ties: lower row), only those with a fused
// score > 0 and >= minScore. Hit::score is the fused score.
std::vector<Hit> rankCandidates(const std::vector<Candidate> &candidates, const SignalWeights &weights, int k,
                                float minScore = 0.f);

} // namespace rs
