"""Which operation of each service's description is which step of digest's, keyed by operationId.

The fakes route by these (helpers.fakes.base); a test names a step (``count("create")``,
``inject("update", ...)``) without knowing the vendor's names.
"""

from __future__ import annotations

STEPS: dict[str, dict[str, str]] = {
    "mailchimp": {
        "postCampaigns": "create",
        "getCampaigns": "list",
        "getCampaignsId": "get",
        "patchCampaignsId": "update",
        "putCampaignsIdContent": "fill",
        "getCampaignsIdSendChecklist": "check",
        "postCampaignsIdActionsTest": "test",
        "getReportsIdClickDetails": "clicks",
    },
    "buttondown": {
        "create_email": "create",
        "list_emails": "list",
        "retrieve_email": "get",
        "update_email": "update",
        "send_draft": "test",
        "list_events": "events",
        "retrieve_email_analytics": "analytics",
    },
    "kit": {
        "createBroadcast": "create",
        "listBroadcasts": "list",
        "getBroadcast": "get",
        "updateBroadcast": "update",
        "getBroadcastClicks": "clicks",
        "getBroadcastStats": "stats",
    },
    "listmonk": {
        "createCampaign": "create",
        "getCampaigns": "list",
        "getCampaignById": "get",
        "updateCampaignById": "update",
        "testCampaignById": "test",
        "getCampaignAnalytics": "clicks",
        "getServerConfig": "config",
    },
    "brevo": {
        "createEmailCampaign": "create",
        "getEmailCampaigns": "list",
        "getEmailCampaign": "get",
        "updateEmailCampaign": "update",
        "sendTestEmail": "test",
    },
    "mailerlite": {
        "createCampaign": "create",
        "listCampaigns": "list",
        "getCampaign": "get",
        "updateCampaign": "update",
    },
}
