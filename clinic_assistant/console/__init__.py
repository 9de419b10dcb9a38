"""The staff console: what runners asked, what the assistant could not answer, teaching.

    python -m clinic_assistant.console serve [--port 8001]    (make run starts it)
    python -m clinic_assistant.console add-user --name NAME  (make staff-user NAME=...)

See app.py (pages, login), conversations.py (what it reads from the conversation
store), masking.py, teaching.py and db.py (its own tables).
"""
