#include "core/index/bm25index.h"

#include <QDataStream>
#include <QIODevice>
#include <QHash>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace rs {

namespace {

constexpr float kK3 = 1.5f;

const QSet<QString> &stopWords()
{
    // Function words only: content words that are frequent in one corpus
    // ("image", "layer") are left to IDF, which knows the corpus.
    static const QSet<QString> words = [] {
        static const char *list[] = {
            "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as",
            "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could",
            "did", "do", "does", "doing", "down", "during", "each", "either", "etc", "few", "for", "from", "further",
            "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i",
            "if", "in", "into", "is", "it", "its", "itself", "just", "may", "me", "might", "more", "most", "must", "my",
            "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours",
            "ourselves", "out", "over", "own", "same", "shall", "she", "should", "so", "some", "such", "than", "that",
            "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those",
            "through", "to", "too", "under", "until", "up", "upon", "us", "very", "was", "we", "were", "what", "when",
            "where", "which", "while", "who", "whom", "why", "will", "with", "within", "without", "would", "you",
            "your", "yours", "yourself", "yourselves", "s", "t", "one", "get", "got", "let", "lets", "via", "thus",
        };
        QSet<QString> s;
        for (const char *w : list)
            s.insert(QString::fromLatin1(w));
        return s;
    }();
    return words;
}

// "layers" -> "layer": a plain final s only (not "ss", "us", "is"), on words
// long enough that the strip does not make a different word ("has", "bus").
QString lightStem(QString w)
{
    if (w.size() > 3 && w.endsWith(QLatin1Char('s')) && !w.endsWith(QLatin1String("ss")) && !w.endsWith(QLatin1String("us"))
        && !w.endsWith(QLatin1String("is")))
        w.chop(1);
    return w;
}

inline bool better(const Hit &a, const Hit &b)
{
    return a.score > b.score || (a.score == b.score && a.item < b.item);
}

} // namespace

struct Bm25Index::Impl {
    Bm25Options opts;
    qint64 docs = 0;
    QHash<QString, quint32> termId;
    std::vector<float> idf;            // per term
    std::vector<quint64> offset;       // per term + 1: start of its postings
    std::vector<quint32> postingDoc;   // row
    std::vector<float> postingWeight;  // BM25 tf part (without idf)

    struct QueryTerm {
        quint32 id;
        float weight; // idf * query-term saturation
    };

    std::vector<QueryTerm> prepare(const QString &query) const
    {
        QHash<quint32, int> qtf;
        for (const QString &t : tokenize(query)) {
            auto it = termId.constFind(t);
            if (it != termId.cend())
                ++qtf[it.value()];
        }
        std::vector<QueryTerm> terms;
        terms.reserve(size_t(qtf.size()));
        for (auto it = qtf.cbegin(); it != qtf.cend(); ++it) {
            const float f = float(it.value());
            terms.push_back({it.key(), idf[it.key()] * f * (kK3 + 1) / (f + kK3)});
        }
        // Rarest first (highest idf), then by id so the cap is deterministic.
        std::sort(terms.begin(), terms.end(), [this](const QueryTerm &a, const QueryTerm &b) {
            return idf[a.id] > idf[b.id] || (idf[a.id] == idf[b.id] && a.id < b.id);
        });
        if (opts.maxQueryTerms > 0 && int(terms.size()) > opts.maxQueryTerms)
            terms.resize(size_t(opts.maxQueryTerms));
        if (opts.maxPostings > 0) {
            std::vector<QueryTerm> kept;
            qint64 postings = 0;
            for (const QueryTerm &t : terms) {
                const qint64 df = qint64(offset[t.id + 1] - offset[t.id]);
                if (!kept.empty() && postings + df > opts.maxPostings)
                    continue;
                postings += df;
                kept.push_back(t);
            }
            terms.swap(kept);
        }
        return terms;
    }

    // Adds the query's scores into acc (n floats, all zero on entry) and
    // lists the rows touched; false when no query term is indexed.
    bool accumulate(const QString &query, std::vector<float> &acc, std::vector<quint32> &touched) const
    {
        const std::vector<QueryTerm> terms = prepare(query);
        if (terms.empty())
            return false;
        if (acc.size() != size_t(docs))
            acc.assign(size_t(docs), 0.f);
        touched.clear();
        for (const QueryTerm &t : terms) {
            for (quint64 p = offset[t.id]; p < offset[t.id + 1]; ++p) {
                const quint32 d = postingDoc[p];
                if (acc[d] == 0.f)
                    touched.push_back(d);
                acc[d] += t.weight * postingWeight[p];
            }
        }
        return true;
    }

    std::vector<Hit> search(const QString &query, int k, std::vector<float> &acc, std::vector<quint32> &touched) const
    {
        if (k < 1 || docs == 0 || !accumulate(query, acc, touched))
            return {};
        // Every touched document is ranked in a per-thread scratch; only the
        // top k are returned. (Returning the scratch cut to k kept its
        // capacity, a hit per touched document: a batch of long queries
        // held gigabytes, 2.5 GB for 3.9k images over 15.5k sentences.)
        thread_local std::vector<Hit> all;
        all.clear();
        all.reserve(touched.size());
        for (quint32 d : touched) {
            all.push_back(Hit{qint64(d), acc[d]});
            acc[d] = 0.f; // leave the scratch clean for the next query
        }
        const size_t kk = std::min(all.size(), size_t(k));
        std::partial_sort(all.begin(), all.begin() + qint64(kk), all.end(), better);
        return std::vector<Hit>(all.begin(), all.begin() + qint64(kk));
    }
};

Bm25Index::Bm25Index() : m_impl(std::make_unique<Impl>()) {}
Bm25Index::Bm25Index(Bm25Index &&) noexcept = default;
Bm25Index &Bm25Index::operator=(Bm25Index &&) noexcept = default;
Bm25Index::~Bm25Index() = default;

bool Bm25Index::isStopWord(const QString &lowerWord)
{
    return stopWords().contains(lowerWord);
}

QStringList Bm25Index::tokenize(const QString &text)
{
    QStringList out;
    QString cur;
    auto flush = [&] {
        if (cur.size() >= 2) {
            // Possessive "'s" arrives as a separate "s" token and is dropped;
            // here only stop words and the plural strip remain.
            if (!isStopWord(cur))
                out << lightStem(cur);
        }
        cur.clear();
    };
    for (QChar c : text) {
        if (c.isLetterOrNumber())
            cur += c.toLower();
        else
            flush();
    }
    flush();
    return out;
}

Bm25Index Bm25Index::build(const QStringList &texts, const Bm25Options &opts)
{
    Bm25Index index;
    Impl &m = *index.m_impl;
    m.opts = opts;
    m.docs = texts.size();

    // Pass 1: term ids and per-document term counts.
    std::vector<std::vector<std::pair<quint32, quint16>>> docTerms(size_t(texts.size()));
    std::vector<quint32> df;
    std::vector<quint32> length(size_t(texts.size()), 0);
    double totalLength = 0;
    for (qsizetype i = 0; i < texts.size(); ++i) {
        QHash<quint32, quint16> tf;
        const QStringList tokens = tokenize(texts[i]);
        for (const QString &t : tokens) {
            auto it = m.termId.constFind(t);
            quint32 id;
            if (it == m.termId.cend()) {
                id = quint32(m.termId.size());
                m.termId.insert(t, id);
                df.push_back(0);
            } else {
                id = it.value();
            }
            quint16 &c = tf[id];
            if (c < 65535)
                ++c;
        }
        auto &dt = docTerms[size_t(i)];
        dt.reserve(size_t(tf.size()));
        for (auto it = tf.cbegin(); it != tf.cend(); ++it) {
            dt.push_back({it.key(), it.value()});
            ++df[it.key()];
        }
        length[size_t(i)] = quint32(tokens.size());
        totalLength += double(tokens.size());
    }
    const double avgdl = m.docs > 0 && totalLength > 0 ? totalLength / double(m.docs) : 1.0;

    // Pass 2: postings grouped by term, documents in row order within a term.
    const size_t terms = df.size();
    m.idf.resize(terms);
    m.offset.assign(terms + 1, 0);
    for (size_t t = 0; t < terms; ++t) {
        m.offset[t + 1] = m.offset[t] + df[t];
        m.idf[t] = float(std::log(1.0 + (double(m.docs) - df[t] + 0.5) / (double(df[t]) + 0.5)));
    }
    m.postingDoc.resize(m.offset[terms]);
    m.postingWeight.resize(m.offset[terms]);
    std::vector<quint64> fill(m.offset.begin(), m.offset.end() - 1);
    for (size_t d = 0; d < docTerms.size(); ++d) {
        const double norm = opts.k1 * (1.0 - opts.b + opts.b * double(length[d]) / avgdl);
        for (const auto &[term, tf] : docTerms[d]) {
            const quint64 p = fill[term]++;
            m.postingDoc[p] = quint32(d);
            m.postingWeight[p] = float(double(tf) * (opts.k1 + 1.0) / (double(tf) + norm));
        }
        std::vector<std::pair<quint32, quint16>>().swap(docTerms[d]);
    }
    return index;
}

qint64 Bm25Index::size() const
{
    return m_impl->docs;
}

qint64 Bm25Index::termCount() const
{
    return qint64(m_impl->idf.size());
}

namespace {
// Per-thread scratch: zero-filled between queries, resized per index.
thread_local std::vector<float> t_acc;
thread_local std::vector<quint32> t_touched;
} // namespace

std::vector<Hit> Bm25Index::search(const QString &query, int k) const
{
    return m_impl->search(query, k, t_acc, t_touched);
}

std::vector<float> Bm25Index::scoreRows(const QString &query, const std::vector<qint64> &rows) const
{
    std::vector<float> out(rows.size(), 0.f);
    if (m_impl->docs == 0 || !m_impl->accumulate(query, t_acc, t_touched))
        return out;
    for (size_t i = 0; i < rows.size(); ++i)
        if (rows[i] >= 0 && rows[i] < m_impl->docs)
            out[i] = t_acc[size_t(rows[i])];
    for (quint32 d : t_touched)
        t_acc[d] = 0.f;
    return out;
}

HitLists Bm25Index::searchBatch(const QStringList &queries, int k) const
{
    HitLists out(size_t(queries.size()));
#pragma omp parallel for schedule(dynamic, 16)
    for (qsizetype i = 0; i < queries.size(); ++i) {
        try {
            out[size_t(i)] = search(queries[i], k);
        } catch (...) {
            // Out of memory for one query: it gets no hits, the others do;
            // its scratch may be dirty, so drop it.
            out[size_t(i)].clear();
            std::vector<float>().swap(t_acc);
        }
    }
    return out;
}

QStringList Bm25Index::queryTerms(const QString &query) const
{
    QStringList out;
    QHash<quint32, QString> name;
    for (auto it = m_impl->termId.cbegin(); it != m_impl->termId.cend(); ++it)
        name.insert(it.value(), it.key());
    for (const Impl::QueryTerm &t : m_impl->prepare(query))
        out << name.value(t.id);
    return out;
}

namespace {
constexpr quint32 kStreamMagic = 0x524d3235; // "RM25"
constexpr quint32 kStreamVersion = 1;

// Arrays may pass 2 GB (postings at many millions of texts) and the raw
// stream calls take an int: in pieces of at most 1 GB.
template <typename T>
void writeArray(QDataStream &out, const std::vector<T> &v)
{
    out << quint64(v.size());
    const char *p = reinterpret_cast<const char *>(v.data());
    quint64 left = quint64(v.size()) * sizeof(T);
    while (left > 0) {
        const int chunk = int(std::min<quint64>(left, 1u << 30));
        out.writeRawData(p, chunk);
        p += chunk;
        left -= quint64(chunk);
    }
}

template <typename T>
bool readArray(QDataStream &in, std::vector<T> &v, quint64 limit)
{
    quint64 n = 0;
    in >> n;
    // A damaged count must not allocate what the file cannot hold.
    if (in.status() != QDataStream::Ok || n > limit || (in.device() && n * sizeof(T) > quint64(in.device()->bytesAvailable())))
        return false;
    v.resize(size_t(n));
    char *p = reinterpret_cast<char *>(v.data());
    quint64 left = n * sizeof(T);
    while (left > 0) {
        const int chunk = int(std::min<quint64>(left, 1u << 30));
        if (in.readRawData(p, chunk) != chunk)
            return false;
        p += chunk;
        left -= quint64(chunk);
    }
    return true;
}
} // namespace

void Bm25Index::write(QDataStream &out) const
{
    const Impl &m = *m_impl;
    out << kStreamMagic << kStreamVersion << m.opts.k1 << m.opts.b << qint32(m.opts.maxQueryTerms) << qint64(m.opts.maxPostings) << qint64(m.docs);
    std::vector<QString> terms(m.idf.size());
    for (auto it = m.termId.cbegin(); it != m.termId.cend(); ++it)
        terms[it.value()] = it.key();
    out << quint64(terms.size());
    for (const QString &t : terms)
        out << t;
    writeArray(out, m.idf);
    writeArray(out, m.offset);
    writeArray(out, m.postingDoc);
    writeArray(out, m.postingWeight);
}

Result<Bm25Index> Bm25Index::read(QDataStream &in)
{
    const auto damaged = [] { return makeError(ErrorCode::ParseError, QStringLiteral("not a BM25 index, or a damaged one")); };
    quint32 magic = 0, version = 0;
    qint32 maxTerms = 0;
    qint64 maxPostings = 0, docs = 0;
    Bm25Index index;
    Impl &m = *index.m_impl;
    in >> magic >> version;
    if (in.status() != QDataStream::Ok || magic != kStreamMagic || version != kStreamVersion)
        return damaged();
    in >> m.opts.k1 >> m.opts.b >> maxTerms >> maxPostings >> docs;
    quint64 terms = 0;
    in >> terms;
    if (in.status() != QDataStream::Ok || docs < 0 || terms > (1ull << 32)
        || (in.device() && terms > quint64(in.device()->bytesAvailable()) / 4))
        return damaged();
    m.opts.maxQueryTerms = maxTerms;
    m.opts.maxPostings = maxPostings;
    m.docs = docs;
    m.termId.reserve(qsizetype(terms));
    for (quint64 t = 0; t < terms && in.status() == QDataStream::Ok; ++t) {
        QString term;
        in >> term;
        m.termId.insert(term, quint32(t));
    }
    if (in.status() != QDataStream::Ok || quint64(m.termId.size()) != terms || !readArray(in, m.idf, terms) || !readArray(in, m.offset, terms + 1)
        || m.offset.size() != terms + 1 || !readArray(in, m.postingDoc, m.offset.back()) || !readArray(in, m.postingWeight, m.offset.back())
        || m.postingDoc.size() != m.offset.back() || m.postingWeight.size() != m.offset.back())
        return damaged();
    for (quint32 d : m.postingDoc)
        if (qint64(d) >= docs)
            return damaged();
    return index;
}

} // namespace rs
