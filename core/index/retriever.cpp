#include "core/index/retriever.h"

#include "core/index/detail/matrixcheck.h"

#include <QFile>
#include <QFileInfo>

#include <faiss/IndexFlat.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/index_io.h>
#include <faiss/invlists/InvertedLists.h>
#include <faiss/utils/distances.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <exception>
#include <memory>

namespace rs {

namespace {

using FaissId = faiss::Index::idx_t;

// Total order of hits: higher score first, then lower item index, so that
// results do not depend on scan order or thread count.
inline bool better(const Hit &a, const Hit &b)
{
    return a.score > b.score || (a.score == b.score && a.item < b.item);
}

// Bounded top-k; with `better` as the heap order the front is the worst kept hit.
class TopK {
public:
    explicit TopK(int k) : m_k(size_t(k)) { m_heap.reserve(m_k); }

    void offer(qint64 item, float score)
    {
        const Hit h{item, score};
        if (m_heap.size() < m_k) {
            m_heap.push_back(h);
            std::push_heap(m_heap.begin(), m_heap.end(), better);
        } else if (better(h, m_heap.front())) {
            std::pop_heap(m_heap.begin(), m_heap.end(), better);
            m_heap.back() = h;
            std::push_heap(m_heap.begin(), m_heap.end(), better);
        }
    }

    std::vector<Hit> takeSorted()
    {
        std::sort_heap(m_heap.begin(), m_heap.end(), better);
        return std::move(m_heap);
    }

private:
    size_t m_k;
    std::vector<Hit> m_heap;
};

Status checkQueries(const Matrix &queries, int dimension, int k)
{
    if (Status s = detail::checkMatrix(queries, QStringLiteral("query matrix")); !s)
        return s;
    if (queries.cols != dimension)
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("queries have %1 columns, the sentences %2")
                             .arg(queries.cols).arg(dimension));
    if (k < 1)
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("k must be at least 1, got %1").arg(k), QStringLiteral("k"));
    return {};
}

Error internalError(const char *what, const std::exception &e)
{
    return makeError(ErrorCode::Internal,
                     QString::fromUtf8(what) + QStringLiteral(": ") + QString::fromUtf8(e.what()));
}

} // namespace

struct HierarchicalRetriever::Impl {
    std::unique_ptr<faiss::IndexIVFFlat> ivf; // owns its quantizer (own_fields)
    KMeansResult clustering;
};

HierarchicalRetriever::HierarchicalRetriever(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
HierarchicalRetriever::HierarchicalRetriever(HierarchicalRetriever &&) noexcept = default;
HierarchicalRetriever &HierarchicalRetriever::operator=(HierarchicalRetriever &&) noexcept = default;
HierarchicalRetriever::~HierarchicalRetriever() = default;

const KMeansResult &HierarchicalRetriever::clustering() const
{
    return m_impl->clustering;
}

qint64 HierarchicalRetriever::sentenceCount() const
{
    return m_impl->ivf->ntotal;
}

int HierarchicalRetriever::dimension() const
{
    return int(m_impl->ivf->d);
}

Result<HierarchicalRetriever> HierarchicalRetriever::build(const Matrix &sentences, const KMeansOptions &opts)
{
    Result<KMeansResult> km = kmeans(sentences, opts);
    if (!km)
        return km.error();
    try {
        auto impl = std::make_unique<Impl>();
        impl->clustering = std::move(km).value();
        const KMeansResult &c = impl->clustering;
        const int d = sentences.cols;
        const qint64 nlist = c.centroids.rows;

        std::unique_ptr<faiss::IndexFlat> quantizer;
        if (opts.sphericalCosine)
            quantizer = std::make_unique<faiss::IndexFlatIP>(d);
        else
            quantizer = std::make_unique<faiss::IndexFlatL2>(d);
        quantizer->add(nlist, c.centroids.data.data());

        impl->ivf = std::make_unique<faiss::IndexIVFFlat>(quantizer.get(), d, size_t(nlist),
                                                          quantizer->metric_type);
        impl->ivf->own_fields = true;
        quantizer.release();
        // The k-means assignment is already the coarse assignment: hand it over
        // instead of letting FAISS search the quantizer again.
        const std::vector<FaissId> assign(c.assignment.begin(), c.assignment.end());
        impl->ivf->add_core(sentences.rows, sentences.data.data(), nullptr, assign.data());
        return HierarchicalRetriever(std::move(impl));
    } catch (const std::exception &e) {
        return internalError("building the retrieval index failed", e);
    }
}

Result<HitLists> HierarchicalRetriever::search(const Matrix &queries, const RetrieveOptions &opts) const
{
    const faiss::IndexIVFFlat &ivf = *m_impl->ivf;
    const int d = int(ivf.d);
    if (Status s = checkQueries(queries, d, opts.k); !s)
        return s.error();
    if (opts.clusters < 1)
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("clusters must be at least 1, got %1").arg(opts.clusters),
                         QStringLiteral("clusters"));
    const qint64 nq = queries.rows;
    const int nprobe = int(std::min<qint64>(opts.clusters, qint64(ivf.nlist)));

    try {
        // Centres are probed per query with the same kernel as the list scan,
        // not through FAISS's quantizer search: that switches between a SIMD
        // and a BLAS kernel by batch size (distance_compute_blas_threshold),
        // whose roundings differ, so a query's probed centres could depend on
        // which other queries share its batch. A shard of images must retrieve
        // exactly what the whole corpus does (issue 14).
        const auto *quantizer = dynamic_cast<const faiss::IndexFlat *>(ivf.quantizer);
        if (!quantizer)
            return makeError(ErrorCode::Internal, QStringLiteral("the retrieval index has no flat quantizer"));
        const float *centroids = quantizer->get_xb();
        const bool innerProductMetric = quantizer->metric_type == faiss::METRIC_INNER_PRODUCT;
        const qint64 nlist = qint64(ivf.nlist);

        HitLists out(static_cast<size_t>(nq));
        std::atomic<bool> failed{false};
        const faiss::InvertedLists *lists = ivf.invlists;
#pragma omp parallel for schedule(dynamic, 8)
        for (qint64 qi = 0; qi < nq; ++qi) {
            try {
                const float *q = queries.row(qi);
                TopK probe(nprobe);
                for (qint64 c = 0; c < nlist; ++c) {
                    const float *centre = centroids + size_t(c) * size_t(d);
                    probe.offer(c, innerProductMetric ? detail::innerProduct(q, centre, d) : -detail::squaredL2(q, centre, d));
                }
                const std::vector<Hit> centres = probe.takeSorted();
                TopK top(opts.k);
                for (const Hit &centre : centres) {
                    const FaissId list = FaissId(centre.item);
                    const size_t size = lists->list_size(size_t(list));
                    faiss::InvertedLists::ScopedCodes codes(lists, size_t(list));
                    faiss::InvertedLists::ScopedIds ids(lists, size_t(list));
                    const float *vectors = reinterpret_cast<const float *>(codes.get());
                    for (size_t j = 0; j < size; ++j) {
                        const float s = detail::innerProduct(q, vectors + j * size_t(d), d);
                        if (s >= opts.minScore)
                            top.offer(qint64(ids[j]), s);
                    }
                }
                out[size_t(qi)] = top.takeSorted();
            } catch (...) {
                // Exceptions must not leave an OpenMP region.
                failed = true;
            }
        }
        if (failed)
            return makeError(ErrorCode::Internal, QStringLiteral("hierarchical search failed (out of memory?)"));
        return out;
    } catch (const std::exception &e) {
        return internalError("hierarchical search failed", e);
    }
}

Status HierarchicalRetriever::save(const QString &path) const
{
    const QString part = path + QStringLiteral(".part");
    const QByteArray partName = QFile::encodeName(part);
    try {
        faiss::write_index(m_impl->ivf.get(), partName.constData());
    } catch (const std::exception &e) {
        QFile::remove(part);
        return makeError(ErrorCode::IoError,
                         QStringLiteral("cannot write the index: %1").arg(QString::fromUtf8(e.what())), path);
    }
    // rename(2) replaces an existing file atomically; QFile::rename would refuse.
    if (std::rename(partName.constData(), QFile::encodeName(path).constData()) != 0) {
        QFile::remove(part);
        return makeError(ErrorCode::IoError, QStringLiteral("cannot move the written index into place"), path);
    }
    return {};
}

Result<HierarchicalRetriever> HierarchicalRetriever::load(const QString &path)
{
    if (!QFileInfo(path).isFile())
        return makeError(ErrorCode::NotFound, QStringLiteral("no index file"), path);
    std::unique_ptr<faiss::Index> raw;
    try {
        raw.reset(faiss::read_index(QFile::encodeName(path).constData()));
    } catch (const std::exception &e) {
        return makeError(ErrorCode::ParseError,
                         QStringLiteral("not a readable index: %1").arg(QString::fromUtf8(e.what())), path);
    }
    auto *ivf = dynamic_cast<faiss::IndexIVFFlat *>(raw.get());
    const auto *quantizer = ivf ? dynamic_cast<const faiss::IndexFlat *>(ivf->quantizer) : nullptr;
    if (!ivf || !quantizer || quantizer->ntotal != FaissId(ivf->nlist) || ivf->nlist == 0 || ivf->ntotal <= 0
        || quantizer->metric_type != ivf->metric_type
        || (ivf->metric_type != faiss::METRIC_INNER_PRODUCT && ivf->metric_type != faiss::METRIC_L2))
        return makeError(ErrorCode::ParseError, QStringLiteral("not a hierarchical retrieval index"), path);

    try {
        auto impl = std::make_unique<Impl>();
        const int d = int(ivf->d);
        const qint64 n = ivf->ntotal;
        const qint64 nlist = qint64(ivf->nlist);
        const bool spherical = ivf->metric_type == faiss::METRIC_INNER_PRODUCT;
        KMeansResult &c = impl->clustering;
        c.centroids = Matrix(nlist, d);
        std::copy_n(quantizer->get_xb(), size_t(nlist) * d, c.centroids.data.begin());
        c.assignment.assign(size_t(n), -1);
        c.distance.assign(size_t(n), 0.f);
        qint64 seen = 0;
        for (qint64 l = 0; l < nlist; ++l) {
            const size_t size = ivf->invlists->list_size(size_t(l));
            faiss::InvertedLists::ScopedCodes codes(ivf->invlists, size_t(l));
            faiss::InvertedLists::ScopedIds ids(ivf->invlists, size_t(l));
            const float *vectors = reinterpret_cast<const float *>(codes.get());
            for (size_t j = 0; j < size; ++j) {
                const FaissId id = ids[j];
                // Every sentence must appear exactly once for clustering() to make sense.
                if (id < 0 || id >= n || c.assignment[size_t(id)] != -1)
                    return makeError(ErrorCode::ParseError,
                                     QStringLiteral("index lists hold an invalid or repeated sentence id %1").arg(id),
                                     path);
                c.assignment[size_t(id)] = int(l);
                const float *v = vectors + j * size_t(d);
                c.distance[size_t(id)] = spherical ? detail::innerProduct(v, c.centroids.row(l), d)
                                                   : detail::squaredL2(v, c.centroids.row(l), d);
                ++seen;
            }
        }
        if (seen != n)
            return makeError(ErrorCode::ParseError,
                             QStringLiteral("index lists hold %1 sentences, expected %2").arg(seen).arg(n), path);
        raw.release();
        impl->ivf.reset(ivf);
        return HierarchicalRetriever(std::move(impl));
    } catch (const std::exception &e) {
        return internalError("loading the retrieval index failed", e);
    }
}

Result<HitLists> exactScan(const Matrix &sentences, const Matrix &queries, int k, float minScore)
{
    if (Status s = detail::checkMatrix(sentences, QStringLiteral("sentence matrix")); !s)
        return s.error();
    if (Status s = checkQueries(queries, sentences.cols, k); !s)
        return s.error();
    try {
        const int d = sentences.cols;
        const int kk = int(std::min<qint64>(k, sentences.rows));
        HitLists out(static_cast<size_t>(queries.rows));
#pragma omp parallel for schedule(dynamic, 8)
        for (qint64 qi = 0; qi < queries.rows; ++qi) {
            const float *q = queries.row(qi);
            TopK top(kk);
            for (qint64 j = 0; j < sentences.rows; ++j) {
                const float s = detail::innerProduct(q, sentences.row(j), d);
                if (s >= minScore)
                    top.offer(j, s);
            }
            out[size_t(qi)] = top.takeSorted();
        }
        return out;
    } catch (const std::exception &e) {
        return internalError("exact search failed", e);
    }
}

Result<HitLists> exactSearch(const Matrix &sentences, const Matrix &queries, int k, float minScore)
{
    if (Status s = detail::checkMatrix(sentences, QStringLiteral("sentence matrix")); !s)
        return s.error();
    if (Status s = checkQueries(queries, sentences.cols, k); !s)
        return s.error();
    try {
        const qint64 nq = queries.rows;
        const size_t kk = size_t(std::min<qint64>(k, sentences.rows));
        std::vector<float> scores(size_t(nq) * kk);
        std::vector<int64_t> items(size_t(nq) * kk);
        // The same blocked BLAS kernel IndexFlatIP::search uses, without copying
        // the sentences into an index first.
        faiss::knn_inner_product(queries.data.data(), sentences.data.data(), size_t(sentences.cols), size_t(nq),
                                 size_t(sentences.rows), kk, scores.data(), items.data());
        HitLists out(static_cast<size_t>(nq));
        for (qint64 qi = 0; qi < nq; ++qi) {
            std::vector<Hit> &hits = out[size_t(qi)];
            for (size_t j = 0; j < kk; ++j) {
                const size_t at = size_t(qi) * kk + j;
                if (items[at] >= 0 && scores[at] >= minScore)
                    hits.push_back(Hit{qint64(items[at]), scores[at]});
            }
            std::sort(hits.begin(), hits.end(), better);
        }
        return out;
    } catch (const std::exception &e) {
        return internalError("exact search failed", e);
    }
}

} // namespace rs
