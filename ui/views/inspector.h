#pragma once
// Inspector: everything about the selected sample. The image at full
// resolution (zoomable) with optional expert overlays; where it comes from
// (pages, alt text, captions, neighbouring text); the retrieved realistic
// texts with scores and ranks; the concise caption; the synthetic text
// (editable: saving an edit is a curator decision); each filter decision
// with its score and threshold; Accept (A) / Reject (R) / Clear.

#include <QJsonObject>
#include <QWidget>

class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTextBrowser;

namespace rs {

class ProjectSession;
class ZoomImageView;

class Inspector : public QWidget {
    Q_OBJECT
public:
    explicit Inspector(ProjectSession *session, QWidget *parent = nullptr);

    void showSample(qint64 id); // -1 clears
    qint64 currentId() const { return m_id; }
    const QJsonObject &details() const { return m_details; }
    QTextBrowser *text() const { return m_text; }
    ZoomImageView *imageView() const { return m_image; }

    void accept();
    void reject();
    void clearDecision();
    // Stores the synthetic text if it was edited and not saved yet; called
    // before another sample is shown and before the project closes, so an
    // edit is never lost (saving on leave, not asking).
    void commitEdit();
    bool hasUnsavedEdit() const { return m_id >= 0 && m_unsaved; }

    QPushButton *acceptButton() const { return m_accept; }
    QPushButton *rejectButton() const { return m_reject; }
    QPlainTextEdit *syntheticEdit() const { return m_synthetic; }
    QLabel *editedMarker() const { return m_editedMarker; }
    QLabel *header() const { return m_header; }
    // The "why this text" tooltip of the retrieved text at `rank`: its fused
    // score and each signal's score, weight and contribution (rich text);
    // empty when there is no such rank.
    QString whyText(int rank) const;

Q_SIGNALS:
    void decided(qint64 id, const QString &decision); // after A / R: the window moves on
    void sampleLinkClicked(qint64 id);                // "near_duplicate of #102" clicked

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void render();
    void updateEditedMarker();
    QString filterTable() const;

    ProjectSession *m_session;
    qint64 m_id = -1;
    quint64 m_imageSerial = 0;
    QJsonObject m_details;
    ZoomImageView *m_image;
    QCheckBox *m_overlays;
    QLabel *m_header;
    QTextBrowser *m_text;
    QPlainTextEdit *m_synthetic;
    QLabel *m_editedMarker;
    QString m_storedText;  // the synthetic text as stored (what "unsaved" compares with)
    bool m_unsaved = false;
    QPushButton *m_saveText, *m_accept, *m_reject, *m_clear;
};

} // namespace rs
