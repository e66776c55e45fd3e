"""Stage 5, job: build an issue, run the week's job once, schedule it, hand it off.

``build`` runs select → mail for one week; ``run`` collects, builds and delivers exactly once;
``schedule`` runs that unattended (APScheduler 3); ``deliver`` hands the issue to SMTP or a webhook.
"""
