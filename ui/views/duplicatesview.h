#pragma once
// DuplicatesView: near-duplicate review. The groups of the project's
// perceptual-hash (extract) and embedding (embed) duplicates are listed with
// live counts; the selected group's images are shown side by side with
// their distances (Hamming bits from the keeper; cosine similarity), and a
// "Keep" button makes one the curator's keeper, an undoable step that wins
// on every re-run (ProjectSession::chooseDuplicateKeeper()).
//
// Two sliders set extract.phash_distance and embed.dedup_threshold through
// ProjectSession::changeSetting() (undoable, applied after a pause like the
// threshold panel); the counts and groups follow at once from
// core/pipeline/duplicatereview.h, the image decision kernel the stages run.
//
// Threads: GUI thread. Loading the review and deciding run off it; a newer
// request drops an older one's late result.

#include "core/pipeline/duplicatereview.h"

#include <QWidget>

#include <memory>

class QLabel;
class QListWidget;
class QScrollArea;
class QSlider;
class QHBoxLayout;

namespace rs {

class ProjectSession;
class ThumbnailCache;

class DuplicatesView : public QWidget {
    Q_OBJECT
public:
    explicit DuplicatesView(ProjectSession *session, QWidget *parent = nullptr);
    ~DuplicatesView() override;

    QSlider *phashSlider() const { return m_phashSlider; }
    QSlider *embeddingSlider() const { return m_embeddingSlider; }
    QListWidget *groupList() const { return m_groups; }
    // The groups shown (under the session's preview recipe).
    const DuplicateReview::Outcome &outcome() const { return m_outcome; }
    QString countsText() const;
    // Makes `imageId` the keeper of the selected group (its Keep button).
    void keep(qint64 imageId);
    // Selects the group that holds imageId, if one does.
    bool showGroupOf(qint64 imageId);

    // The slider's position <-> the embedding similarity it stands for.
    static double similarityAt(int position);
    static int positionOf(double similarity);

Q_SIGNALS:
    // A new outcome is shown (after a load, a slider move, a keeper change).
    void updated();
    // The curator clicked an image: show it in the browser and inspector.
    void sampleRequested(qint64 imageId);

private:
    void reload();
    void redecide();
    void syncSliders();
    void showOutcome(const DuplicateReview::Outcome &outcome);
    void showGroup(int row);
    void refreshThumbnail(qint64 imageId);

    ProjectSession *m_session;
    ThumbnailCache *m_thumbs;
    QSlider *m_phashSlider, *m_embeddingSlider;
    QLabel *m_phashValue, *m_embeddingValue, *m_phashCounts, *m_embeddingCounts, *m_status, *m_groupTitle;
    QListWidget *m_groups;
    QScrollArea *m_strip;
    QWidget *m_cards = nullptr;
    std::shared_ptr<const DuplicateReview> m_review;
    DuplicateReview::Outcome m_outcome;
    bool m_embedRan = false;
    qint64 m_focusId = -1; // select the group holding it after the next outcome
    quint64 m_loadSerial = 0, m_decideSerial = 0;
    QHash<qint64, QString> m_paths;
};

} // namespace rs
