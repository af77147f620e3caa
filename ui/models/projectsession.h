#pragma once
// ProjectSession: the open project as the GUI sees it. Owns the project's
// read-write store (and so the project lock: the CLI is refused while the
// GUI has the project open), the recipe, the pipeline, the job runner, and
// the in-memory score columns (LiveDecisions) behind the threshold panel
// and the sample browser.
//
// Threads: every member is for the GUI thread. The store is used there only
// for small reads (pages of rows, one sample's details); everything heavy or
// writing runs on the job runner's worker (stages, ingest, applying
// settings, export) or on the session's writer thread (curator decisions),
// each with its own connection from ProjectStore::openConnection().
//
// Settings: previewSetting() re-decides from memory at once and emits
// preview(); after a short pause the changed values are applied for real
// (recipe saved; the extract stage re-decides, or the sample stage
// re-samples when everything before it is done) and applied() follows.
//
// Undo: everything a curator does (changeSetting(), setDecision(s),
// setEditedText()) is pushed onto undoStack() as a command whose redo and
// undo call the same raw operations (previewSetting(), writeDecisions(),
// writeEditedText()): there is no second path to the store. The stack is
// emptied when a project opens or closes.

#include "core/pipeline/jobrunner.h"
#include "core/pipeline/livedecisions.h"
#include "core/pipeline/pipeline.h"
#include "core/store/recipe.h"
#include "core/util/result.h"

#include <QFutureWatcher>
#include <QObject>
#include <QSet>
#include <QThreadPool>
#include <QTimer>
#include <QVector>

#include <memory>
#include <utility>

class QUndoStack;

namespace rs {

class ProjectStore;
struct IngestOptions;

class ProjectSession : public QObject {
    Q_OBJECT
public:
    explicit ProjectSession(QObject *parent = nullptr);
    ~ProjectSession() override;

    // Opens DIR read-write (taking the lock); on failure nothing changes.
    Status open(const QString &dir);
    // Creates DIR as a new project, opens it and starts ingesting `options`.
    Status create(const QString &dir, const IngestOptions &options);
    void close();
    bool isOpen() const { return m_store != nullptr; }
    QString dir() const;

    ProjectStore *store() const { return m_store.get(); }
    const Recipe &recipe() const { return m_recipe; }   // the applied values
    const Recipe &previewRecipe() const { return m_preview; } // applied + pending changes
    const Pipeline &pipeline() const { return m_pipeline; }
    JobRunner *runner() { return &m_runner; }

    // Null until the first load finishes (see liveChanged()).
    std::shared_ptr<const LiveDecisions> live() const { return m_live; }
    // Per image row of live(): 0 = kept by the extract filters under the
    // preview recipe, else 1 + reason index; null before the first load.
    std::shared_ptr<const std::vector<quint8>> imageCodes() const { return m_imageCodes; }
    bool isLoadingLive() const { return m_liveLoading; }
    // Images extract has not probed yet (sorted ids, read with live()): the
    // filters' verdict on them ("unreadable", "too small") means nothing
    // yet, and views say "not probed yet" instead.
    std::shared_ptr<const std::vector<qint64>> unprobedIds() const { return m_unprobed; }
    qint64 unprobedImages() const { return m_unprobed ? qint64(m_unprobed->size()) : 0; }

    QMap<QString, StageState> stageStates();

    // Re-decides under `key = value` from memory and emits preview();
    // returns the recipe's validation error for a bad value.
    // Not undoable: the raw operation behind changeSetting() and its undo.
    Result<LiveDecisions::Outcome> previewSetting(const QString &key, const QString &value);
    // The curator's change: validated, then pushed onto the undo stack as a
    // command that calls previewSetting(). Consecutive changes of one key
    // within a second (a slider drag) merge into one step.
    Status changeSetting(const QString &key, const QString &value);
    // changeSetting(key, its default).
    Status resetSetting(const QString &key);
    // Outcome of `key` under the current preview recipe (no change).
    LiveDecisions::Outcome outcome(const QString &key, int bins = 60) const;
    void setApplyDelay(int ms) { m_applyTimer.setInterval(ms); }
    bool hasPendingSettings() const { return !m_pendingKeys.isEmpty(); }
    // Applies pending settings now (or as soon as the runner is free).
    void applyNow();

    // Runs every missing or stale stage up to `until` (empty: all).
    bool runUntil(const QString &until);
    bool runJob(const QString &name, JobRunner::Job job);
    void cancel() { m_runner.cancel(); }

    // Curator decisions, written on the session's writer thread; each call
    // is one undoable step (a batch too).
    void setDecision(qint64 imageId, const QString &decision); // accept | reject | clear
    void setDecisions(const QVector<qint64> &imageIds, const QString &decision);
    void setEditedText(qint64 imageId, const QString &text); // empty: the generator's text again
    // The raw writes behind them and their undo (not undoable themselves).
    void writeDecisions(const QVector<std::pair<qint64, QString>> &decisions);
    void writeEditedText(qint64 imageId, const QString &text);

    // The curator's keeper of a near-duplicate group (DuplicateReview): one
    // undoable step; `keeper` keeps and the rest of `group` become its
    // duplicates, now and on every re-run.
    void chooseDuplicateKeeper(const std::vector<qint64> &group, qint64 keeper);
    // The raw write behind it and its undo: stores the keeper marks and
    // re-decides every image verdict on the writer thread, then emits
    // duplicateKeepersChanged() and reloads the score columns.
    void writeDuplicateKeepers(const std::vector<std::pair<qint64, bool>> &keepers);

    QUndoStack *undoStack() const { return m_undo; }

    // Reloads the score columns from the store (after a stage ran).
    void reloadLive();

Q_SIGNALS:
    void opened(const QString &dir);
    void aboutToClose(); // the store is still open: last chance to write (an unsaved edit)
    void closed();
    void liveChanged();
    void preview(const QString &key, const rs::LiveDecisions::Outcome &outcome);
    void applied(const rs::Status &status);
    void stagesChanged();
    void sampleChanged(qint64 imageId);  // one sample's curator decision or edit was stored
    void samplesChanged(const QVector<qint64> &imageIds); // every store of curator decisions or edits (a batch at once)
    void problem(const QString &text, qint64 imageId); // for the log panel
    // Undo or redo touched this one image: views bring it back into sight
    // (R moved on to the next image; Ctrl+Z returns to the rejected one).
    void sampleRequested(qint64 imageId);
    // Keeper marks were stored and the image verdicts re-decided (or failed).
    void duplicateKeepersChanged();

private:
    void onJobFinished(const QString &job, const Status &status, qint64 ms);
    void updateImageCodes();
    Status pushSetting(const QString &key, const QString &value, bool mergeable);

    std::unique_ptr<ProjectStore> m_store;
    Recipe m_recipe, m_preview;
    Pipeline m_pipeline;
    JobRunner m_runner;
    QThreadPool m_writer; // one thread: curator decisions
    std::shared_ptr<const LiveDecisions> m_live;
    std::shared_ptr<const std::vector<quint8>> m_imageCodes;
    std::shared_ptr<const std::vector<qint64>> m_unprobed;
    bool m_liveLoading = false;
    bool m_reloadAgain = false;
    quint64 m_liveSerial = 0;
    QTimer m_applyTimer;
    QSet<QString> m_pendingKeys;
    bool m_applyQueued = false;
    bool m_applySample = false;
    QUndoStack *m_undo;
};

} // namespace rs

Q_DECLARE_METATYPE(rs::LiveDecisions::Outcome)
