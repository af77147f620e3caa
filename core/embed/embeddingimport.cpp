#include "core/embed/embeddingimport.h"

#include "core/embed/embeddingstore.h"
#include "core/embed/embedstage.h"
#include "core/embed/npyreader.h"

#include <QFile>
#include <QHash>
#include <QSet>

namespace rs {

namespace {

// Every row must be a direction (readNpyMatrix already refuses NaN and
// infinity): a zero row cannot be normalised and matches nothing, so it
// means the file is not what the caller thinks it is.
Status checkRows(const Matrix &m, const QString &path)
{
    for (qint64 i = 0; i < m.rows; ++i) {
        const float *r = m.row(i);
        bool nonZero = false;
        for (int j = 0; j < m.cols && !nonZero; ++j)
            nonZero = r[j] != 0.0f;
        if (!nonZero)
            return makeError(ErrorCode::ParseError, QStringLiteral("row %1 is all zeros").arg(i), path);
    }
    return {};
}

} // namespace

QStringList embeddingImportKinds()
{
    return {QStringLiteral("image"), QStringLiteral("text")};
}

Result<EmbeddingImportReport> importEmbeddings(ProjectStore &store, Recipe &recipe, const EmbeddingImportOptions &options)
{
    const bool images = options.kind == QLatin1String("image");
    if (!images && options.kind != QLatin1String("text"))
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("kind must be image or text, not '%1'").arg(options.kind));
    if (options.model.trimmed().isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("the model name is empty"));
    auto vectors = readNpyMatrix(options.vectorsPath);
    if (!vectors)
        return vectors.error();
    if (Status s = checkRows(*vectors, options.vectorsPath); !s)
        return s.error();

    QFile idFile(options.idsPath);
    if (!idFile.open(QIODevice::ReadOnly | QIODevice::Text))
        return makeError(ErrorCode::IoError, QStringLiteral("cannot open: %1").arg(idFile.errorString()), idFile.fileName());
    const QString table = images ? QStringLiteral("images") : QStringLiteral("sentences");
    // One query for the ids that exist rather than one per line: a million
    // rows are a million lookups otherwise.
    QSet<qint64> known;
    {
        auto q = store.exec(QStringLiteral("SELECT id FROM %1").arg(table));
        if (!q)
            return q.error();
        while (q->next())
            known.insert(q->value(0).toLongLong());
    }
    QVector<qint64> ids;
    QHash<qint64, int> lineOf;
    int lineNo = 0;
    while (!idFile.atEnd()) {
        ++lineNo;
        const QString line = QString::fromUtf8(idFile.readLine()).trimmed();
        if (line.isEmpty())
            continue;
        bool ok = false;
        const qint64 id = line.toLongLong(&ok);
        if (!ok)
            return makeError(ErrorCode::ParseError, QStringLiteral("%1:%2: not an id: '%3'").arg(idFile.fileName()).arg(lineNo).arg(line.left(40)));
        if (!known.contains(id))
            return makeError(ErrorCode::NotFound,
                             QStringLiteral("%1:%2: no %3 with id %4 in this project").arg(idFile.fileName()).arg(lineNo).arg(options.kind).arg(id));
        if (const auto it = lineOf.constFind(id); it != lineOf.constEnd())
            return makeError(ErrorCode::ParseError,
                             QStringLiteral("%1:%2: id %3 already on line %4").arg(idFile.fileName()).arg(lineNo).arg(id).arg(*it));
        lineOf.insert(id, lineNo);
        ids.push_back(id);
    }
    if (idFile.error() != QFileDevice::NoError)
        return makeError(ErrorCode::IoError, QStringLiteral("cannot read: %1").arg(idFile.errorString()), idFile.fileName());
    if (ids.size() != vectors->rows)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("%1 ids but %2 vector rows").arg(ids.size()).arg(vectors->rows));

    // Both kinds must come from one model, in one space: the other kind's
    // vectors of this model fix the width.
    const QString dir = EmbeddingStore::projectDir(store);
    const QString storeKind = images ? QStringLiteral("images") : QStringLiteral("sentences");
    const QString otherKind = images ? QStringLiteral("sentences") : QStringLiteral("images");
    if (auto other = EmbeddingStore::openExisting(dir, otherKind); other && (*other)->encoder() == options.model
        && (*other)->count() > 0 && (*other)->dimension() != vectors->cols)
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("%1 dimensions, but the %2 vectors of model '%3' have %4: both kinds must come from one model")
                             .arg(vectors->cols)
                             .arg(images ? QStringLiteral("text") : QStringLiteral("image"), options.model)
                             .arg((*other)->dimension()),
                         options.vectorsPath);

    EmbeddingImportReport report;
    auto emb = EmbeddingStore::open(dir, storeKind, options.model, vectors->cols, EmbeddingStore::DType::Float16, &report.clearedOtherModel);
    if (!emb)
        return emb.error();
    vectors->normalizeRows();
    if (Status s = (*emb)->put(ids, *vectors); !s)
        return s.error();
    if (Status s = recipe.set(settingKeyOf(&EmbedSettings::model), QStringLiteral("imported:") + options.model); !s)
        return s.error();
    if (Status s = recipe.save(store); !s)
        return s.error();
    report.rows = ids.size();
    report.dims = vectors->cols;
    return report;
}

} // namespace rs
