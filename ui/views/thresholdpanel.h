#pragma once
// ThresholdPanel: generated from the SettingDef table — every setting with
// a `panel` section, under its display label: numeric ones as a
// ThresholdRow (slider, spin box; histogram and counts where LiveDecisions
// previews the key), switches as check boxes, choices as combo boxes, each
// with a reset-to-default button. A change is an undoable step
// (ProjectSession::changeSetting): previewable keys re-decide from memory
// at once; the session applies every change for real after a pause.

#include "core/pipeline/livedecisions.h"

#include <QHash>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QTimer;
class QToolButton;

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
    QCheckBox *check(const QString &key) const { return m_checks.value(key); }
    QComboBox *choice(const QString &key) const { return m_choices.value(key); }
    QToolButton *resetButton(const QString &key) const { return m_resets.value(key); }
    // The scrolled content, whole (for screenshots).
    QWidget *content() const { return m_content; }

private:
    void edit(const QString &key, const QString &value);
    void refreshAll();
    void refreshOthers();
    void loadValues();
    void loadValue(const QString &key);

    ProjectSession *m_session;
    QHash<QString, ThresholdRow *> m_rows;
    QHash<QString, QCheckBox *> m_checks;
    QHash<QString, QComboBox *> m_choices;
    QHash<QString, QToolButton *> m_resets;
    QHash<QString, QLabel *> m_summaries; // "images", "sentences", "sample"
    QLabel *m_status;
    QWidget *m_content = nullptr;
    QTimer *m_refresh;
    QString m_lastKey;
    LiveDecisions::Outcome m_lastOutcome;
};

} // namespace rs
