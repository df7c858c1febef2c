"""Meeting-link detection: which joinable link an event holds, its platform, id, passcode and key.

Pure and provider-neutral: every provider's mapping describes its candidate fields as a
`sources.MeetingSources`, and `detect.find_meeting` returns the event's `meeting` block
(`../shared/api.md`). Where the link is looked for, and the limits, are in docs/ARCHITECTURE.md.
"""
