#pragma once
// Zero-shot tags with the active encoder: the image is compared with the text
// embedding of every label of a concept vocabulary and the closest labels
// above a similarity threshold become Findings of kind "tag" (text = label,
// value = cosine similarity, confidence = calibrated score in 0..1, empty box
// unless a region was analysed).
//
// Label embeddings: each label is written into the prompt templates
// "a photo of a {label}" and "an image of {label}" ("a" becomes "an" before a
// vowel), both prompts are encoded, and their unit rows are averaged and
// re-normalised (CLIP's prompt ensembling; two templates keep the encode cost
// of a 4k vocabulary low while smoothing out one phrasing's quirks).
//
// Vocabulary: resources/concepts/wordnet_nouns.txt (about 4k concrete WordNet
// nouns, compiled in as :/realsyn/concepts/wordnet_nouns.txt) plus the
// corpus's frequent noun phrases, passed in by the caller. With the built-in
// corpus-aligned encoder only words seen in its corpus have a learned
// direction; the factory takes a predicate (BuiltinEncoder::knowsWord) and
// drops every term it rejects.
//
// Thresholds: similarities are not comparable across encoders. CLIP-family
// encoders get a default threshold (0.26); any other encoder needs a
// TagCalibration from calibrate() (or an explicit "threshold" option), else
// initialize() refuses and tags stay off. A calibration that reaches no
// threshold with the target precision on held-out alt texts/captions also
// switches tags off: noise must not reach the synthetic text.
//
// Thread-safety: the factory is configured on one thread; create() may then
// be called from any thread, and each expert used by one thread at a time.
// The experts share the encoder and serialise their calls to it (IEncoder
// promises only one caller at a time).

#include "core/embed/iencoder.h"
#include "core/generate/iexpert.h"

#include <QJsonObject>
#include <QPointF>
#include <QVector>

#include <functional>
#include <memory>

namespace rs {

struct TagCalibrationOptions {
    double targetPrecision = 0.8; // least precision the chosen threshold must reach
    int topK = 5;                 // candidates per image, as at tagging time (top_k)
    int minPredictions = 10;      // a threshold must keep at least this many tags (no lucky single hit)
};

// What calibrate() found on held-out images. Stored with the project so the
// stage can apply (or refuse) tags without recalibrating.
struct TagCalibration {
    bool enabled = false;       // false: no threshold reached the target; tags are off for this encoder
    QString encoderName;        // EncoderInfo::name it was measured with
    double threshold = 0;       // keep tags with similarity >= threshold (meaningful when enabled)
    double targetPrecision = 0;
    double precision = 0;       // held-out tag precision at the threshold (when enabled)
    double recall = 0;          // correct tags / relevant (image, label) pairs (when enabled)
    double bestPrecision = 0;   // best precision of any threshold with enough support (for reports)
    int images = 0;             // held-out images evaluated
    int predicted = 0;          // tags at or above the threshold
    int correct = 0;            // of those, labels found in the image's held-out text
    int relevant = 0;           // (image, vocabulary label) pairs whose label occurs in its text
    // (similarity, precision of held-out tags scoring at least that), by
    // ascending similarity, made non-decreasing; at most 64 points.
    QVector<QPointF> curve;
    QString reason;             // one line for the UI and logs

    // Calibrated confidence of a tag with this similarity: the curve's value
    // at the last point <= similarity (the first point's below it); 0 for an
    // empty curve.
    double confidenceFor(double similarity) const;

    QJsonObject toJson() const;
    static TagCalibration fromJson(const QJsonObject &o);
};

class TagExpertFactory final : public IExpertFactory {
public:
    // Returns true when the encoder has a learned direction for the term (all its words).
    using KnowsTerm = std::function<bool(const QString &)>;

    static constexpr double kClipDefaultThreshold = 0.26;

    // encoder: the active encoder (shared; must outlive no one, it is kept alive here).
    // vocabulary: labels, e.g. buildVocabulary(builtinVocabulary(), corpusPhrases).
    // knowsTerm: null keeps every label (CLIP-family encoders).
    TagExpertFactory(std::shared_ptr<IEncoder> encoder, QStringList vocabulary, KnowsTerm knowsTerm = {});
    ~TagExpertFactory() override;

    QString name() const override { return QStringLiteral("encoder-tags"); }
    QString kind() const override { return QStringLiteral("tag"); }
    // "encoder-tags-v1;<encoder>;<vocabulary hash>;t=<threshold>;k=<top_k>" (after initialize).
    QString version() const override;

    // Applies before initialize(); a disabled calibration makes initialize() fail.
    void setCalibration(const TagCalibration &calibration);

    // options: "top_k" (1..100, default 5), "threshold" (similarity in -1..1,
    // overrides the calibration and the CLIP default). Encodes the vocabulary
    // once. Errors: InvalidArgument for bad options or an empty vocabulary
    // (also after restriction, naming how many terms were dropped);
    // Unsupported when the encoder is not CLIP-family and there is neither an
    // enabled calibration nor an explicit threshold (tags off), or the
    // calibration is disabled or was made with another encoder; the encoder's
    // own errors.
    Status initialize(const QVariantMap &options) override;
    // Null before a successful initialize().
    std::unique_ptr<IExpert> create() override;

    // The labels in use: the constructor's, normalised, de-duplicated and restricted.
    QStringList vocabulary() const { return m_vocabulary; }
    int droppedUnknownTerms() const { return m_dropped; }
    double threshold() const { return m_threshold; }
    int topK() const { return m_topK; }

    // --- building blocks, public for the stage and the tests ----------------

    static QStringList promptTemplates(); // "{label}" marks the slot
    static QString prompt(const QString &templ, const QString &label);
    // labels -> labels x d unit rows, each the normalised mean of its prompts.
    static Result<Matrix> encodeLabels(IEncoder &encoder, const QStringList &labels, JobContext &ctx);

    // The compiled-in WordNet list (labels only).
    static Result<QStringList> builtinVocabulary();
    // A vocabulary file: one label per line, optional "<TAB>comment" after
    // it, '#' lines are comments. Errors: NotFound, IoError, ParseError (no labels).
    static Result<QStringList> loadVocabularyFile(const QString &path);
    // Lower-cases, trims, turns '_' into ' ', drops empties and duplicates
    // (first occurrence wins: base first, then corpus phrases), then keeps
    // only terms knowsTerm accepts (all when null).
    static QStringList buildVocabulary(const QStringList &base, const QStringList &corpusPhrases,
                                       const KnowsTerm &knowsTerm = {}, int *dropped = nullptr);

    // Whether a label is said in a text: whole words, case-insensitive, the
    // label's words contiguous; the last word may be plural (-s, -es, y/-ies,
    // and a few irregular forms such as men, children, people, leaves).
    static bool labelOccursIn(const QString &label, const QString &text);

    // Chooses the similarity threshold on held-out images whose alt texts or
    // captions are known. For each image its topK labels are candidates; a
    // candidate is correct when labelOccursIn(label, its texts). Thresholds
    // are tried at every distinct candidate similarity; among those keeping at
    // least minPredictions tags with precision >= targetPrecision, the one
    // with the highest recall wins (ties: higher precision). None: the result
    // is disabled, with the best precision reached in its reason.
    // Errors: InvalidArgument for an empty vocabulary, no images, a count
    // mismatch between images and texts, a null image, bad options; the
    // encoder's errors; Canceled.
    static Result<TagCalibration> calibrate(IEncoder &encoder, const QStringList &vocabulary,
                                            const QList<QImage> &heldOutImages,
                                            const QVector<QStringList> &heldOutTexts,
                                            const TagCalibrationOptions &options = {},
                                            JobContext *ctx = nullptr);

    struct Shared; // what the experts share (encoder, label matrix, settings); in the .cpp

private:
    std::shared_ptr<IEncoder> m_encoder;
    QStringList m_vocabulary;
    int m_dropped = 0;
    TagCalibration m_calibration;
    bool m_hasCalibration = false;
    double m_threshold = 0;
    int m_topK = 5;
    std::shared_ptr<const Shared> m_shared;
};

} // namespace rs
