#include "core/index/querytexts.h"

#include "core/extract/sentencescore.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "core/index/retrievesettings.h"

#include <QRegularExpression>
#include <QSet>
#include <QSqlQuery>

#include <algorithm>

namespace rs {

namespace {

// A document this image-heavy (an image gallery, a generated index page) is
// worth a note: its context is thin per image, and it is the case that must
// stay linear, not quadratic.
constexpr int kManyImages = 1000;

struct Ref {
    qint64 image;
    int position;
    QString alt, title, caption;
};

struct ContextSentence {
    qint64 id;
    int block;
    QString text;
    QString key;
};

} // namespace

QueryTextOptions QueryTextOptions::fromRecipe(const Recipe &recipe)
{
    QueryTextOptions o;
    const RetrieveSettings settings = RetrieveSettings::fromRecipe(recipe);
    o.ownText = settings.ownText;
    o.contextSentences = settings.contextSentences;
    return o;
}

QString capText(const QString &text, int maxChars, bool *capped)
{
    if (capped)
        *capped = false;
    if (maxChars <= 0 || text.size() <= maxChars)
        return text;
    if (capped)
        *capped = true;
    qsizetype cut = text.lastIndexOf(QLatin1Char(' '), maxChars);
    if (cut <= 0)
        cut = maxChars;
    return text.left(cut);
}

Result<QHash<qint64, ImageQueryText>> loadQueryTexts(ProjectStore &store, const QVector<qint64> &imageIds,
                                                     const QueryTextOptions &opts, JobContext &ctx)
{
    QHash<qint64, ImageQueryText> out;
    out.reserve(imageIds.size());
    for (qint64 id : imageIds)
        out.insert(id, ImageQueryText{});
    const bool ownText = opts.ownText && !opts.strict;

    // OCR lines in the order the expert wrote them (reading order).
    {
        auto q = store.exec(QStringLiteral("SELECT image_id, label FROM expert_findings WHERE kind = 'ocr' AND level = 'line'"
                                           " AND confidence >= ? ORDER BY image_id, id"),
                            {opts.minOcrConfidence});
        if (!q)
            return q.error();
        QHash<qint64, QStringList> lines;
        while (q->next()) {
            const qint64 image = q->value(0).toLongLong();
            if (out.contains(image))
                lines[image] << q->value(1).toString().simplified();
        }
        for (auto it = lines.cbegin(); it != lines.cend(); ++it) {
            ImageQueryText &t = out[it.key()];
            t.ocr = capText(it.value().join(QStringLiteral(". ")), opts.maxChars, &t.ocrCapped);
        }
    }

    // Strict: the normalised texts that must not reach the query.
    QHash<qint64, QSet<QString>> hidden;
    if (opts.strict) {
        auto q = store.exec(QStringLiteral("SELECT g.image_id, s.dedup_key FROM ground_truth g JOIN sentences s ON s.id = g.sentence_id"));
        if (!q)
            return q.error();
        while (q->next())
            if (out.contains(q->value(0).toLongLong()))
                hidden[q->value(0).toLongLong()].insert(q->value(1).toString());
    }

    // References grouped by document, so each document's sentences are read
    // once however many images it holds.
    QHash<qint64, QVector<Ref>> byDocument;
    QVector<qint64> documents;
    {
        auto q = store.exec(QStringLiteral("SELECT image_id, document_id, position, alt, title, caption FROM image_refs"
                                           " ORDER BY image_id, id"));
        if (!q)
            return q.error();
        QHash<qint64, int> refsUsed;
        while (q->next()) {
            const qint64 image = q->value(0).toLongLong();
            if (!out.contains(image) || refsUsed.value(image) >= opts.maxRefs)
                continue;
            ++refsUsed[image];
            const qint64 doc = q->value(1).toLongLong();
            Ref r{image, q->value(2).toInt(), q->value(3).toString(), q->value(4).toString(), q->value(5).toString()};
            if (opts.strict)
                for (const QString &own : {r.alt, r.title, r.caption})
                    if (!own.isEmpty())
                        hidden[image].insert(dedupKey(own));
            if (!byDocument.contains(doc))
                documents.push_back(doc);
            byDocument[doc].push_back(std::move(r));
        }
    }
    std::sort(documents.begin(), documents.end());

    QHash<qint64, QStringList> ownParts, contextParts;
    QHash<qint64, QSet<qint64>> contextIds;
    QSqlQuery sq(store.db());
    sq.prepare(QStringLiteral("SELECT id, block, text, dedup_key FROM sentences WHERE document_id = ? AND image_ref_id IS NULL"
                              " AND kind NOT IN ('code', 'nav') AND (reject_reason IS NULL OR reject_reason NOT IN"
                              " ('code_block', 'navigation')) ORDER BY block, position"));
    for (qint64 doc : std::as_const(documents)) {
        const QVector<Ref> &refs = byDocument[doc];
        if (refs.size() >= kManyImages)
            ctx.report(JobIssue{Severity::Info,
                                QStringLiteral("document %1 holds %2 images: each gets only its %3 nearest sentences as context")
                                    .arg(doc).arg(refs.size()).arg(opts.contextSentences),
                                -1, {}});
        std::vector<ContextSentence> sentences;
        if (opts.contextSentences > 0) {
            sq.addBindValue(doc);
            if (!sq.exec())
                return makeError(ErrorCode::IoError, QStringLiteral("cannot read context sentences"), QString::number(doc));
            while (sq.next())
                sentences.push_back({sq.value(0).toLongLong(), sq.value(1).toInt(), sq.value(2).toString(), sq.value(3).toString()});
        }
        for (const Ref &ref : refs) {
            QStringList &parts = contextParts[ref.image];
            if (ownText) {
                // Figure and section numbers ("Figure 15.34.", "3.2.") are rare
                // tokens that match unrelated numbered sentences.
                static const QRegularExpression numbering(
                    QStringLiteral("^\\s*((figure|fig\\.|table|image)\\s*)?[0-9]+(\\.[0-9]+)*\\.?\\s*"), QRegularExpression::CaseInsensitiveOption);
                QStringList &mine = ownParts[ref.image];
                for (QString own : {ref.caption, ref.alt, ref.title}) {
                    own.remove(numbering);
                    if (!own.trimmed().isEmpty() && !mine.contains(own))
                        mine << own;
                }
            }
            if (sentences.empty())
                continue;
            const QSet<QString> &hide = hidden[ref.image];
            // Walk outwards from the reference; on equal distance the text
            // before the image (headings, lead-ins) comes first.
            auto right = std::lower_bound(sentences.begin(), sentences.end(), ref.position,
                                          [](const ContextSentence &s, int pos) { return s.block < pos; });
            qsizetype r = right - sentences.begin();
            qsizetype l = r - 1;
            std::vector<const ContextSentence *> chosen;
            while (int(chosen.size()) < opts.contextSentences && (l >= 0 || r < qsizetype(sentences.size()))) {
                const ContextSentence *pick = nullptr;
                if (l >= 0 && (r >= qsizetype(sentences.size())
                               || ref.position - sentences[size_t(l)].block <= sentences[size_t(r)].block - ref.position))
                    pick = &sentences[size_t(l--)];
                else
                    pick = &sentences[size_t(r++)];
                if (hide.contains(pick->key) || pick->text.trimmed().isEmpty())
                    continue;
                chosen.push_back(pick);
            }
            std::sort(chosen.begin(), chosen.end(), [](const ContextSentence *a, const ContextSentence *b) {
                return a->block < b->block || (a->block == b->block && a->id < b->id);
            });
            QSet<qint64> &ids = contextIds[ref.image];
            for (const ContextSentence *s : chosen)
                if (!ids.contains(s->id)) {
                    ids.insert(s->id);
                    parts << s->text;
                }
        }
        if (ctx.isCanceled())
            return makeError(ErrorCode::Canceled, QStringLiteral("reading query texts interrupted"));
    }
    for (auto it = contextParts.cbegin(); it != contextParts.cend(); ++it) {
        ImageQueryText &t = out[it.key()];
        bool ownCapped = false, neighboursCapped = false;
        t.own = capText(ownParts.value(it.key()).join(QLatin1Char(' ')), opts.maxChars / 2, &ownCapped);
        t.neighbours = capText(it.value().join(QLatin1Char(' ')), opts.maxChars - int(t.own.size()), &neighboursCapped);
        t.context = QString(t.own + QLatin1Char(' ') + t.neighbours).trimmed();
        t.contextCapped = ownCapped || neighboursCapped;
        const QSet<qint64> &ids = contextIds[it.key()];
        t.contextSentences = QVector<qint64>(ids.begin(), ids.end());
        std::sort(t.contextSentences.begin(), t.contextSentences.end());
    }
    return out;
}

} // namespace rs
