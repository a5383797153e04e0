def test_home_redirects_to_a_login_page_that_answers(client):
    response = client.get("/")
    assert response.status_code == 302
    assert client.get(response.location).status_code == 200


def test_candidate_logs_in_and_sees_their_blocs(client, make_enrolment, login_as):
    enrolment = make_enrolment()
    login_as(enrolment.candidate)
    page = client.get("/").get_data(as_text=True)
    assert "BC07" in page and "BC08" not in page
