"""Rasa SDK actions, one per module. Logic lives in clinic_assistant/."""
