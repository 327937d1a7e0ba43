"""Demo data for the embedded default (``lindung demo``): not part of the kernel nor of a context.

``base`` loads Dumai's regions, its branch office, the two sponsors and one user per role;
``loading.load_demo`` runs it and then each step of ``loading.DEMO_STEPS`` in order
(``sponsorship``: agreements and an enrolled roster; ``registration``: self-paying BPU workers,
an employer and a construction project; ``contributions``: billing runs and payments). Every
step is idempotent and goes through the contexts' services, the way a user would."""
