#pragma once
// Stage ground (between extract and embed): P2G's expert grounding. Runs the
// image experts the recipe switches on (experts.ocr, experts.faces,
// experts.quality; plugins expert_tesseract and expert_opencv) once per kept
// image and stores their findings (expert_findings, boxes in image pixels)
// and runs (expert_runs, also when an expert found nothing), keyed by the
// image's bytes and the expert's name and version, so an unchanged rerun
// decodes nothing and an image is analysed again only when it or the expert
// changed. Later stages read the stored findings: retrieve queries with the
// OCR text, generate writes from OCR and faces (zero-shot tags need the
// encoder and stay in generate).
//
// Bad input is data: an image that fails to decode or an expert that fails
// is recorded on the issue log; OCR output beyond kMaxFindings per image, or
// a finding's text beyond kMaxFindingChars, is cut (and logged) so that one
// page of dense text cannot flood the store or the queries.

#include "core/generate/finding.h"
#include "core/pipeline/stage.h"
#include "core/store/settingfields.h"

#include <QHash>
#include <QPair>

namespace rs {

// (image id, expert name) -> the input hash of that expert's last run on the
// image, for skipping unchanged work. Ground and generate both read it.
using ExpertRunHashes = QHash<QPair<qint64, QString>, QString>;
Result<ExpertRunHashes> loadExpertRunHashes(ProjectStore &store);

// Stores one expert's run on an image, inside the caller's transaction:
// replaces the image's findings of that expert with `result`'s, and records
// the run's input hash with its error (if it failed), so an unchanged input
// is not analysed again. Ground and generate (tags) both write through it.
Status storeExpertRun(ProjectStore &store, qint64 imageId, const QString &expert, const QString &inputHash,
                      const Result<Findings> &result);

// The experts ground runs, typed (core/store/settingfields.h): its keys are
// the stage's fingerprint keys. experts.tags and experts.tag_precision are
// generate's: tags need the encoder.
struct GroundSettings {
    QString ocr;     // auto | on | off
    QString faces;   // on | off
    QString quality; // on | off

    template <class F>
    void fields(F &&f)
    {
        f(ocr, "experts.ocr");
        f(faces, "experts.faces");
        f(quality, "experts.quality");
    }
};

class GroundStage final : public IStage {
public:
    static constexpr int kMaxFindings = 2000;     // per image and expert
    static constexpr int kMaxFindingChars = 1000; // per finding's text (an OCR line or block)

    // What ground stores of one expert's findings on one image: the first
    // kMaxFindings, lines before words (a line carries its words' text, so
    // the query and the generator lose least), each text cut at
    // kMaxFindingChars. *why says what was cut, empty when nothing was.
    static Findings capFindings(const Findings &all, QString *why);

    QString name() const override { return QStringLiteral("ground"); }
    // experts.tags and experts.tag_precision are generate's: tags need the encoder.
    QStringList settingKeys() const override { return settingKeysOf<GroundSettings>(); }
    // The expert plugins found (name@version): installing or upgrading one
    // changes the findings, so the stage becomes stale.
    QString environmentKey() const override;
    Status run(ProjectStore &store, const Recipe &recipe, JobContext &ctx) override;
};

} // namespace rs
