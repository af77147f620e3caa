#pragma once
// The text side of an image's retrieval query: what OCR read in it and what
// its pages say around it. Both enter retrieval only as query text (see
// fusion.h): no sentence is ever scored for being on the image's page.
//
// context = own + neighbours. neighbours = for each reference of the image
// (at most maxRefs), the
// contextSentences sentences of that document nearest to the reference
// (by block distance; sentences of code blocks, navigation and other
// images' own alt/title/caption are not context); own = when ownText, each
// reference's own alt, title and figure caption.
// ocr = the image's OCR lines (confidence >= minOcrConfidence) in reading
// order, capped at maxChars.
//
// Strict (evaluation): ownText is forced off, and every context sentence
// whose normalised text (dedupKey) equals one of the image's ground-truth
// texts or its own alt/title/caption is left out, so nothing of the answer
// is in the question. The ground truth stays in the retrieval pool.

#include "core/util/jobcontext.h"
#include "core/util/result.h"

#include <QHash>
#include <QString>
#include <QVector>

namespace rs {

class ProjectStore;
class Recipe;

struct QueryTextOptions {
    bool ownText = true;
    int contextSentences = 3;   // per reference
    int maxRefs = 16;           // references of one image used (documents that reuse an image a lot)
    int maxChars = 2000;        // each of ocr and context is cut at a word boundary below this
    double minOcrConfidence = 0.5;
    bool strict = false;

    static QueryTextOptions fromRecipe(const Recipe &recipe); // retrieve.own_text, retrieve.context_sentences
};

struct ImageQueryText {
    QString ocr;
    QString context;    // own texts (when ownText) and the nearest sentences
    QString own;        // the own alt/title/caption part of `context`
    QString neighbours; // the nearest-sentences part of `context`
    // Sentences (ids) whose text is part of `context`: they are not returned
    // for this image, since a text matching itself is no evidence.
    QVector<qint64> contextSentences;
    bool ocrCapped = false;
    bool contextCapped = false;
};

// One entry per id in `imageIds` (empty texts where there is nothing).
// Problems worth a curator's eye (nothing to query with, capped text,
// documents with thousands of images) go to ctx as warnings; the caller
// decides whether they reach the issue log.
Result<QHash<qint64, ImageQueryText>> loadQueryTexts(ProjectStore &store, const QVector<qint64> &imageIds,
                                                     const QueryTextOptions &opts, JobContext &ctx);

// Cuts `text` at the last word boundary before maxChars (no cut when shorter).
QString capText(const QString &text, int maxChars, bool *capped = nullptr);

} // namespace rs
