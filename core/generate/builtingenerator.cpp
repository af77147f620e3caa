#include "core/generate/builtingenerator.h"

#include <QRegularExpression>
#include <QSet>

#include <algorithm>

namespace rs {

namespace {

// Tesseract's line confidence (mean word confidence / 100) below which a
// line is more often misread than not on UI screenshots and charts.
constexpr double kQuoteConfidence = 0.75;
// Haar detections: confidence = 1 - exp(-neighbours / 10). Charts, icons and
// dialogs give detections with few neighbours; real faces give many.
constexpr double kFaceConfidence = 0.8;

// A token that reads as a word or a number: "Layers", "don't", "16-bit",
// "2.10", "100%". Not "s#Stretch", "x1#", "lIl|".
bool wordLike(const QString &token)
{
    static const QRegularExpression word(QStringLiteral("^\\p{L}[\\p{Ll}'\\x{2019}-]*$|^\\p{Lu}+$"));
    static const QRegularExpression number(QStringLiteral("^[0-9]+([.,:][0-9]+)*%?$"));
    static const QRegularExpression wordNumber(QStringLiteral("^[0-9]+-\\p{L}+$"));
    QString t = token;
    while (!t.isEmpty() && QStringLiteral(".,;:!?()[]\"'").contains(t.back()))
        t.chop(1);
    while (!t.isEmpty() && QStringLiteral("([\"'").contains(t.front()))
        t.remove(0, 1);
    if (t.isEmpty())
        return false;
    if (t.size() == 1) // one letter alone is a misread more often than "a" or "I"
        return t == QLatin1String("a") || t == QLatin1String("A") || t == QLatin1String("I") || t[0].isDigit();
    return word.match(t).hasMatch() || number.match(t).hasMatch() || wordNumber.match(t).hasMatch();
}

// An OCR line worth quoting: every token word-like, and one word of four
// letters or more or two of three ("aoe" read off an icon is not quoted;
// "New View" is).
bool quotable(const QString &line)
{
    const QStringList tokens = line.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (tokens.isEmpty())
        return false;
    int long4 = 0, long3 = 0;
    for (const QString &t : tokens) {
        if (!wordLike(t))
            return false;
        int letters = 0;
        for (QChar c : t)
            letters += c.isLetter() ? 1 : 0;
        long4 += letters >= 4 ? 1 : 0;
        long3 += letters >= 3 ? 1 : 0;
    }
    return long4 >= 1 || long3 >= 2;
}

// OCR lines worth quoting: confident, word-like, not too long.
QStringList readableLines(const Findings &findings, int maxLines)
{
    QVector<const Finding *> lines;
    for (const Finding &f : findings)
        if (f.kind == QLatin1String("ocr") && f.level == QLatin1String("line") && f.confidence >= kQuoteConfidence
            && f.text.size() <= 60 && quotable(f.text))
            lines.push_back(&f);
    // Largest text first: titles and headings say most about an image.
    std::stable_sort(lines.begin(), lines.end(), [](const Finding *a, const Finding *b) { return a->box.height() > b->box.height(); });
    QStringList out;
    for (const Finding *f : lines) {
        const QString t = BuiltinGenerator::collapseRepeats(f->text.simplified());
        if (!out.contains(t, Qt::CaseInsensitive))
            out << t;
        if (out.size() >= maxLines)
            break;
    }
    return out;
}

int faceCount(const Findings &findings)
{
    return int(std::count_if(findings.begin(), findings.end(),
                             [](const Finding &f) { return f.kind == QLatin1String("face") && f.confidence >= kFaceConfidence; }));
}

QStringList tagLabels(const Findings &findings, const QStringList &extra, int maxTags)
{
    QStringList tags = extra;
    for (const Finding &f : findings)
        if (f.kind == QLatin1String("tag") && !tags.contains(f.text, Qt::CaseInsensitive))
            tags << f.text;
    return tags.mid(0, maxTags);
}

QString joinList(const QStringList &items)
{
    if (items.size() <= 1)
        return items.value(0);
    return QStringList(items.mid(0, items.size() - 1)).join(QStringLiteral(", ")) + QStringLiteral(" and ") + items.last();
}

QString quoted(const QStringList &lines)
{
    QStringList q;
    for (const QString &l : lines)
        q << QLatin1Char('"') + l + QLatin1Char('"');
    return joinList(q);
}

QString sentenceCase(QString s)
{
    s = s.simplified();
    if (!s.isEmpty() && s[0].isLower())
        s[0] = s[0].toUpper();
    if (!s.isEmpty() && !QStringLiteral(".!?\"'").contains(s.back()))
        s += QLatin1Char('.');
    return s;
}

// The evidence phrase, e.g. `text reading "Crop" and "Tool Options", and two faces`.
QString evidencePhrase(const QStringList &lines, int faces, const QStringList &tags)
{
    QStringList parts;
    if (!tags.isEmpty())
        parts << joinList(tags);
    if (!lines.isEmpty())
        parts << QStringLiteral("text reading ") + quoted(lines);
    if (faces == 1)
        parts << QStringLiteral("one face");
    else if (faces > 1)
        parts << QStringLiteral("%1 faces").arg(faces);
    return joinList(parts);
}

} // namespace

QString BuiltinCaptioner::captionFor(const Findings &findings)
{
    const QString phrase = evidencePhrase(readableLines(findings, 2), faceCount(findings), tagLabels(findings, {}, 3));
    return phrase.isEmpty() ? QString() : sentenceCase(QStringLiteral("an image with ") + phrase);
}

QVector<Result<QString>> BuiltinCaptioner::caption(const QVector<CaptionInput> &batch, JobContext &)
{
    QVector<Result<QString>> out;
    out.reserve(batch.size());
    for (const CaptionInput &in : batch)
        out.push_back(captionFor(in.findings));
    return out;
}

QString BuiltinGenerator::collapseRepeats(const QString &text)
{
    // Words with the separators after them, so the text is rebuilt as it was.
    static const QRegularExpression token(QStringLiteral("([\\p{L}\\p{N}'\\x{2019}-]+)([^\\p{L}\\p{N}]*)"));
    static const QRegularExpression nonWord(QStringLiteral("[^\\p{L}\\p{N}]"));
    static const QRegularExpression letter(QStringLiteral("\\p{L}"));
    QStringList words, seps, keys;
    auto it = token.globalMatch(text);
    qsizetype first = -1;
    while (it.hasNext()) {
        const auto m = it.next();
        if (first < 0)
            first = m.capturedStart();
        words << m.captured(1);
        seps << m.captured(2);
        keys << m.captured(1).toLower().remove(nonWord);
    }
    if (words.isEmpty())
        return text;
    // Drop a run of 1..8 words that repeats the run right before it
    // ("New View, New View", "the the"), longest runs first.
    bool changed = true;
    while (changed) {
        changed = false;
        for (int n = std::min<int>(8, int(keys.size()) / 2); n >= 1 && !changed; --n)
            for (int i = 0; i + 2 * n <= keys.size() && !changed; ++i) {
                bool same = true;
                for (int j = 0; j < n && same; ++j)
                    same = keys[i + j].contains(letter) && keys[i + j] == keys[i + n + j]; // "1.1" is no repeat
                if (!same)
                    continue;
                // The kept copy ends the way the dropped one did.
                seps[i + n - 1] = seps[i + 2 * n - 1];
                for (int j = 0; j < n; ++j) {
                    words.removeAt(i + n);
                    seps.removeAt(i + n);
                    keys.removeAt(i + n);
                }
                changed = true;
            }
    }
    QString out = text.left(first);
    for (int i = 0; i < words.size(); ++i)
        out += words[i] + seps[i];
    return out;
}

QString BuiltinGenerator::cleanRealisticText(const QString &text)
{
    static const QRegularExpression figurePrefix(QStringLiteral("^(figure|fig\\.|table|image|photo)\\s*[0-9]+(\\.[0-9]+)*[.:]?\\s*"),
                                                 QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression bullet(QStringLiteral("^([-*\\x{2022}\\x{2023}>\\x{25aa}]+|[0-9]+[.)])(\\s+|$)"));
    static const QRegularExpression danglingEnd(QStringLiteral("(\\s+(and|or|the|a|an|of|to|with|for|in|on|by))+\\s*[.\\x{2026}]*$"),
                                                QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression ellipsisEnd(QStringLiteral("\\s*(\\.\\.\\.|\\x{2026})\\s*$"));
    QString s = collapseRepeats(text.simplified());
    s.remove(figurePrefix);
    s.remove(bullet);
    s.remove(ellipsisEnd);
    s.remove(danglingEnd);
    s = s.trimmed();
    // Unbalanced quotes or brackets at the ends are fragments of a cut text.
    while (!s.isEmpty() && QStringLiteral("\"'(,;:-").contains(s.front()))
        s.remove(0, 1);
    while (!s.isEmpty() && QStringLiteral("\"'(,;:-").contains(s.back()) && s.count(s.back()) % 2 == 1)
        s.chop(1);
    s = s.trimmed();
    return s.isEmpty() ? QString() : sentenceCase(s);
}

namespace {

QSet<QString> contentWords(const QString &text)
{
    static const QRegularExpression split(QStringLiteral("[^\\p{L}\\p{N}]+"));
    static const QSet<QString> stop = {QStringLiteral("the"), QStringLiteral("a"), QStringLiteral("an"), QStringLiteral("of"),
                                       QStringLiteral("and"), QStringLiteral("or"), QStringLiteral("to"), QStringLiteral("in"),
                                       QStringLiteral("on"), QStringLiteral("for"), QStringLiteral("with"), QStringLiteral("is"),
                                       QStringLiteral("this"), QStringLiteral("that"), QStringLiteral("you"), QStringLiteral("it")};
    QSet<QString> out;
    for (const QString &w : text.toLower().split(split, Qt::SkipEmptyParts))
        if (w.size() >= 3 && !stop.contains(w))
            out.insert(w.endsWith(QLatin1Char('s')) && w.size() > 3 ? w.chopped(1) : w);
    return out;
}

QString letters(const QString &text)
{
    QString out;
    for (QChar c : text)
        if (c.isLetterOrNumber())
            out += c.toLower();
    return out;
}

} // namespace

QString BuiltinGenerator::realisticPart(const QStringList &texts, QStringList *used)
{
    // The best fused text leads. A label-like first text ("Crop tool.")
    // says little on its own: the next text joins it when it is about the
    // same thing (has every content word of the label) and says something
    // new; sharing only "dialog" or "brush" is not the same thing.
    QString first;
    int firstAt = -1;
    for (int i = 0; i < texts.size() && first.isEmpty(); ++i) {
        first = cleanRealisticText(texts[i]);
        firstAt = i;
    }
    if (first.isEmpty())
        return {};
    if (used)
        *used << QStringLiteral("text%1").arg(firstAt + 1);
    const QSet<QString> firstWords = contentWords(first);
    if (first.split(QLatin1Char(' '), Qt::SkipEmptyParts).size() > 4)
        return first;
    for (int i = firstAt + 1; i < texts.size(); ++i) {
        const QString next = cleanRealisticText(texts[i]);
        const QSet<QString> nextWords = contentWords(next);
        // A short next text is an index entry or another label ("Menu,
        // Channels Context Menu"), not a sentence that adds something.
        if (next.isEmpty() || next.split(QLatin1Char(' '), Qt::SkipEmptyParts).size() < 6 || firstWords.isEmpty()
            || !nextWords.contains(firstWords) || letters(first).contains(letters(next)))
            continue;
        if (letters(next).contains(letters(first))) {
            // The next text repeats the label in full: it alone says both,
            // without the phrase twice.
            if (used)
                *used = QStringList{QStringLiteral("text%1").arg(i + 1)};
            return next;
        }
        if (used)
            *used << QStringLiteral("text%1").arg(i + 1);
        // "The Selection tools. Selection tools, including ..." -> one copy.
        return collapseRepeats(first + QLatin1Char(' ') + next);
    }
    return first;
}

GeneratedText BuiltinGenerator::generateOne(const GenerationInput &in)
{
    QStringList usedTexts;
    const QString real = realisticPart(in.realisticTexts, &usedTexts);
    QStringList lines = readableLines(in.findings, 2);
    // A quote that only repeats the realistic text adds nothing.
    lines.erase(std::remove_if(lines.begin(), lines.end(), [&](const QString &l) { return letters(l) == letters(real); }), lines.end());
    const int faces = faceCount(in.findings);
    const QStringList tags = tagLabels(in.findings, in.tags, 3);
    const QString evidence = evidencePhrase(lines, faces, tags);

    GeneratedText out;
    out.model = QStringLiteral("builtin-generator-v2");
    QJsonObject prov;
    QStringList used;
    if (!lines.isEmpty())
        used << QStringLiteral("ocr");
    if (faces > 0)
        used << QStringLiteral("faces");
    if (!tags.isEmpty())
        used << QStringLiteral("tags");
    prov.insert(QStringLiteral("evidence"), used.isEmpty() ? QStringLiteral("none") : used.join(QLatin1Char(',')));
    prov.insert(QStringLiteral("realistic_text"), real.isEmpty() ? QStringLiteral("none") : usedTexts.join(QLatin1Char(',')));

    if (evidence.isEmpty()) {
        out.text = real.isEmpty() ? sentenceCase(in.caption) : real;
    } else if (real.isEmpty()) {
        out.text = in.caption.isEmpty() ? sentenceCase(QStringLiteral("an image with ") + evidence) : sentenceCase(in.caption);
    } else {
        // A few templates, chosen by image id so a corpus does not read as
        // one sentence repeated; the choice is deterministic.
        static const char *templates[] = {
            "%1 The image shows %2.",
            "%1 Visible in the image: %2.",
            "%1 It shows %2.",
        };
        const int t = int((in.imageId < 0 ? 0 : in.imageId) % 3);
        out.text = QString::fromLatin1(templates[t]).arg(real, evidence);
    }
    out.provenance = prov;
    return out;
}

QVector<Result<GeneratedText>> BuiltinGenerator::generate(const QVector<GenerationInput> &batch, JobContext &)
{
    QVector<Result<GeneratedText>> out;
    out.reserve(batch.size());
    for (const GenerationInput &in : batch) {
        GeneratedText g = generateOne(in);
        if (g.text.isEmpty())
            out.push_back(makeError(ErrorCode::InvalidArgument, QStringLiteral("nothing to write: no realistic text, caption or evidence")));
        else
            out.push_back(std::move(g));
    }
    return out;
}

QString generationPromptVersion()
{
    return QStringLiteral("realsyn-merge-v1");
}

QString defaultGenerationInstruction()
{
    return QStringLiteral(
        "You write one caption for an image for vision-language pre-training. You are given a realistic text taken from "
        "the web page around the image, a short caption of the image, visual tags, and findings of expert tools (text "
        "read by OCR, detected faces). Write one fluent English paragraph of one to three sentences that keeps the "
        "real-world details of the realistic text (names, places, products, numbers, dates) and adds what the image "
        "evidence supports. Fix grammar and casing. Do not simply concatenate the inputs. Never invent facts that are not "
        "in the inputs; if the realistic text does not fit the image, rely on the image evidence. Answer with the caption only.");
}

} // namespace rs
