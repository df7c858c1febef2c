"""The provider sandbox: local, faithful Google Calendar (then Graph and Zoom) and OAuth servers."""
