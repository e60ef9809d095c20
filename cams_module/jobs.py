"""placeholder"""


def on_task_loaded(task):
    pass
