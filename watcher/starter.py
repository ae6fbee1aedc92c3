"""The commented starter `sites.yaml` that `watcher init` writes."""

SCHEMA_FILE = "sites.schema.json"

STARTER = """\
# yaml-language-server: $schema=./sites.schema.json
# sites.yaml: the companies watcher watches, and where it tells you of new openings.
# Check it with `watcher validate`; run one cycle with `watcher check`.

channels:
  # Named Apprise URLs (https://github.com/caronc/apprise/wiki): one, or a list.
  # ${VAR} is replaced from the environment (or a systemd credential), so secrets
  # stay out of this file. Uncomment one and set the variable:
  # phone: ntfy://ntfy.sh/${NTFY_TOPIC}
  # team: [slack://${SLACK_TOKENS}, mailto://${SMTP_USER}:${SMTP_PASSWORD}@example.com]

defaults:
  # notify: [phone]     # channels a site notifies unless it says otherwise (default: all)
  every: 30m            # how often `watcher run` checks each site

sites:
  # One entry per company: a name and exactly one platform key whose value is the
  # board's id (the part of the careers URL after the platform's host).
  # `watcher add URL` writes an entry from a careers page link.
  - name: Stripe
    greenhouse: stripe  # boards.greenhouse.io/stripe
  - name: Palantir
    lever: palantir     # jobs.lever.co/palantir
  - name: Linear
    ashby: linear       # jobs.ashbyhq.com/linear
"""
