#pragma once
// EmbeddingStore: one memory-mapped matrix per item kind (images,
// sentences) next to the project database. Row r holds the embedding of the
// item whose id is r (ids are SQLite rowids, dense in practice), so lookups
// need no index; a presence mask says which rows are filled.
//
// File layout of <dir>/<kind>.emb: a 64-byte header (magic "RSEMB001",
// dtype 16|32, dim, row capacity, 40 reserved bytes) followed by
// capacity x dim values, row-major, little-endian; <kind>.mask holds one
// byte per row (1 = present). float16 halves the disk and page-cache cost;
// values are converted to float32 on read.
//
// Encoder identity: the store records which encoder wrote it
// (<dir>/<kind>.json); opening with another encoder name clears it, because
// vectors of two models are not comparable.
//
// Threads: not thread-safe; the stage that owns it reads and writes it.

#include "core/util/matrix.h"
#include "core/util/result.h"

#include <QFile>
#include <QString>
#include <QVector>

#include <memory>

namespace rs {

class ProjectStore;

class EmbeddingStore {
public:
    enum class DType { Float16 = 16, Float32 = 32 };

    // Opens (or creates) the store for `kind` in `dir`. When the stored
    // encoder or dimension differs, the store is reset and `*reset` (if
    // given) is set to true.
    static Result<std::unique_ptr<EmbeddingStore>> open(const QString &dir, const QString &kind, const QString &encoder,
                                                        int dim, DType dtype = DType::Float16, bool *reset = nullptr);
    // Opens an existing store read-only, whatever its encoder; NotFound if none.
    static Result<std::unique_ptr<EmbeddingStore>> openExisting(const QString &dir, const QString &kind);
    // Where a project keeps its stores (one per kind: images, sentences).
    static QString projectDir(ProjectStore &store);
    // The project's existing store of `kind`, read-only; NotFound if none.
    static Result<std::unique_ptr<EmbeddingStore>> openInProject(ProjectStore &store, const QString &kind);
    ~EmbeddingStore();

    QString encoder() const { return m_encoder; }
    int dimension() const { return m_dim; }
    qint64 capacity() const { return m_capacity; }

    bool has(qint64 id) const;
    qint64 count() const; // rows present
    // Writes rows of `vectors` for the given ids (vectors.rows == ids.size()).
    Status put(const QVector<qint64> &ids, const Matrix &vectors);
    // Rows for the given ids (absent rows come back as zeros; check has()).
    Matrix get(const QVector<qint64> &ids) const;
    // Forgets every vector (e.g. the encoder changed).
    Status clear();
    Status flush();

private:
    EmbeddingStore() = default;
    Status mapFiles(qint64 capacity);
    Status grow(qint64 minCapacity);

    QString m_dir, m_kind, m_encoder;
    int m_dim = 0;
    DType m_dtype = DType::Float16;
    qint64 m_capacity = 0;
    QFile m_data, m_mask;
    uchar *m_dataMap = nullptr;
    uchar *m_maskMap = nullptr;
};

} // namespace rs
