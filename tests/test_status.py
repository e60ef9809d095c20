from cams_module.status import NomadStatus


def test_status_vocabulary_is_the_agreed_one():
    assert [s.value for s in NomadStatus] == [
        "not uploaded", "queued", "uploading", "processing", "processed", "failed", "published",
    ]


def test_busy_states_refuse_a_second_press():
    assert {s for s in NomadStatus if s.busy} == {
        NomadStatus.QUEUED, NomadStatus.UPLOADING, NomadStatus.PROCESSING,
    }
