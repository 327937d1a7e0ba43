"""The Dumai scenario (``lindung demo dumai``): the story of ``shared/domain/SCENARIO-DUMAI.md``
built through the real services, carried on to today, and checked against the published figures.

``people`` generates the workers and writes their roster; ``story`` holds the published figures and
the timeline's fixed facts; ``build`` replays the programme month by month (agreements, roster
imports, billing, payments, arrears, deaths and claims); ``check`` compares what the system
computed with what was published."""
