"""Calendar providers: one module per provider behind the `CalendarProvider` port."""
