#pragma once
// ThresholdPanel: every filter setting that can be previewed live (see
// LiveDecisions::liveKeys()), grouped by what it decides: numeric ones as a
// ThresholdRow (slider, spin box, histogram, counts), switches as check
// boxes, choices as combo boxes. A change re-decides from memory at once;
// the session applies it for real after a pause.

#include "core/pipeline/livedecisions.h"

#include <QHash>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QTimer;

namespace rs {

class ProjectSession;
class ThresholdRow;

class ThresholdPanel : public QWidget {
    Q_OBJECT
public:
    explicit ThresholdPanel(ProjectSession *session, QWidget *parent = nullptr);

    ThresholdRow *row(const QString &key) const { return m_rows.value(key); }
    QLabel *summary(const QString &table) const { return m_summaries.value(table); }
    QLabel *statusLabel() const { return m_status; }
    // The scrolled content, whole (for screenshots).
    QWidget *content() const { return m_content; }

private:
    void edit(const QString &key, const QString &value);
    void refreshAll();
    void refreshOthers();
    void loadValues();

    ProjectSession *m_session;
    QHash<QString, ThresholdRow *> m_rows;
    QHash<QString, QCheckBox *> m_checks;
    QHash<QString, QComboBox *> m_choices;
    QHash<QString, QLabel *> m_summaries; // "images", "sentences", "sample"
    QLabel *m_status;
    QWidget *m_content = nullptr;
    QTimer *m_refresh;
    QString m_lastKey;
    LiveDecisions::Outcome m_lastOutcome;
};

} // namespace rs
