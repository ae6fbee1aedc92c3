"""`watcher.sources.detect`: the platform and board of every kind of link users paste,
without any network access, and the near-misses that must not match."""

from __future__ import annotations

from pathlib import Path

import pytest

from watcher.sources import REGISTRY, detect
from watcher.sources.search import SearchBoard


def row(url: str, key: str | None, board: object = None) -> object:
    """One table row; a row for a platform not registered yet is skipped until it is."""
    marks = []
    if key is not None and key not in REGISTRY:
        marks.append(pytest.mark.skipif(True, reason=f"{key} is not registered yet"))
    return pytest.param(url, key, board, marks=marks, id=url)


UUID = "8e1f0b2c-3d4e-4f5a-9b6c-7d8e9f0a1b2c"

MATCHES = [
    # Greenhouse: boards, postings, embeds (the new job-boards host too), the API
    row("https://boards.greenhouse.io/acme", "greenhouse", "acme"),
    row("boards.greenhouse.io/acme", "greenhouse", "acme"),
    row("http://www.boards.greenhouse.io/acme/", "greenhouse", "acme"),
    row("https://boards.greenhouse.io/acme/jobs/4012345?gh_jid=4012345", "greenhouse", "acme"),
    row("https://job-boards.greenhouse.io/acme/jobs/4012345", "greenhouse", "acme"),
    row("https://job-boards.eu.greenhouse.io/acme", "greenhouse", "acme"),
    row("https://boards.greenhouse.io/embed/job_board?for=acme", "greenhouse", "acme"),
    row("https://boards.greenhouse.io/embed/job_board/js?for=acme", "greenhouse", "acme"),
    row("https://boards.greenhouse.io/embed/job_app?for=acme&token=4012345", "greenhouse", "acme"),
    row("https://boards-api.greenhouse.io/v1/boards/acme/jobs", "greenhouse", "acme"),
    row("  HTTPS://BOARDS.GREENHOUSE.IO/acme  ", "greenhouse", "acme"),
    # Lever, with the EU instance
    row("https://jobs.lever.co/acme", "lever", "acme"),
    row(f"https://jobs.lever.co/acme/{UUID}", "lever", "acme"),
    row(f"https://jobs.lever.co/acme/{UUID}/apply", "lever", "acme"),
    row("https://jobs.eu.lever.co/acme", "lever", "eu:acme"),
    row(f"https://jobs.eu.lever.co/acme/{UUID}", "lever", "eu:acme"),
    row("https://api.lever.co/v0/postings/acme?mode=json", "lever", "acme"),
    # Ashby
    row("https://jobs.ashbyhq.com/acme", "ashby", "acme"),
    row(f"https://jobs.ashbyhq.com/acme/{UUID}/application", "ashby", "acme"),
    row("https://jobs.ashbyhq.com/acme/embed?version=2", "ashby", "acme"),
    row("https://api.ashbyhq.com/posting-api/job-board/acme", "ashby", "acme"),
    # Workday: with and without locale, postings, the CXS API
    row("https://acme.wd5.myworkdayjobs.com/External", "workday", "acme.wd5/External"),
    row("https://acme.wd5.myworkdayjobs.com/en-US/External", "workday", "acme.wd5/External"),
    row(
        "https://Acme.wd1.myworkdayjobs.com/en-US/Acme_Careers/job/Berlin/Engineer_R-12345",
        "workday",
        "acme.wd1/Acme_Careers",
    ),
    row(
        "https://acme.wd103.myworkdayjobs.com/es-419/Careers/details/Engineer_R1",
        "workday",
        "acme.wd103/Careers",
    ),
    row(
        "https://acme.wd5.myworkdayjobs.com/wday/cxs/acme/External/jobs",
        "workday",
        "acme.wd5/External",
    ),
    # SmartRecruiters
    row("https://careers.smartrecruiters.com/AcmeCorp", "smartrecruiters", "AcmeCorp"),
    row(
        "https://jobs.smartrecruiters.com/AcmeCorp/744000012345678-backend-engineer",
        "smartrecruiters",
        "AcmeCorp",
    ),
    row(
        "https://jobs.smartrecruiters.com/oneclick-ui/company/AcmeCorp/publication/abc",
        "smartrecruiters",
        "AcmeCorp",
    ),
    # Workable
    row("https://apply.workable.com/acme/", "workable", "acme"),
    row("https://apply.workable.com/acme/j/A1B2C3D4E5/", "workable", "acme"),
    row("https://apply.workable.com/api/v1/widget/accounts/acme", "workable", "acme"),
    row("https://acme.workable.com/", "workable", "acme"),
    # Recruitee
    row("https://acme.recruitee.com/", "recruitee", "acme"),
    row("https://acme.recruitee.com/o/backend-engineer", "recruitee", "acme"),
    # Personio (.de boards are their subdomain, .com boards keep the whole host)
    row("https://acme.jobs.personio.de/job/1234567", "personio", "acme"),
    row("https://acme.jobs.personio.de/", "personio", "acme"),
    row(
        "https://acme.jobs.personio.com/job/1234567?language=en",
        "personio",
        "acme.jobs.personio.com",
    ),
    # Teamtailor
    row("https://acme.teamtailor.com/jobs/1234567-backend-engineer", "teamtailor", "acme"),
    row("https://acme.na.teamtailor.com/jobs", "teamtailor", "acme.na"),
    # BambooHR
    row("https://acme.bamboohr.com/careers/42", "bamboohr", "acme"),
    row("https://acme.bamboohr.com/jobs/", "bamboohr", "acme"),
    # Breezy
    row("https://acme.breezy.hr/p/1a2b3c4d5e6f-backend-engineer", "breezy", "acme"),
    row("https://acme.breezy.hr/", "breezy", "acme"),
    # Rippling
    row(f"https://ats.rippling.com/acme/jobs/{UUID}", "rippling", "acme"),
    row("https://ats.rippling.com/en-GB/acme/jobs", "rippling", "acme"),
    # iCIMS: portals on *.icims.com (a company's own domain is read from its page)
    row("https://careers-acme.icims.com/jobs/search?ss=1&in_iframe=1", "icims", "careers-acme"),
    row("https://careers-acme.icims.com/jobs/1234/senior-engineer/job", "icims", "careers-acme"),
    row(
        "https://careers-acme.icims.com/jobs/1234/senior-engineer/job?mode=apply&iis=LinkedIn",
        "icims",
        "careers-acme",
    ),
    row("https://careers-acme.icims.com/jobs/intro?hashed=-625905789", "icims", "careers-acme"),
    row("https://uscareers-acme.icims.com/", "icims", "uscareers-acme"),
    # Jobvite: sites on jobs.jobvite.com (and the older careers.jobvite.com)
    row("https://jobs.jobvite.com/acme", "jobvite", "acme"),
    row("https://jobs.jobvite.com/acme/jobs", "jobvite", "acme"),
    row("https://jobs.jobvite.com/acme/search?q=engineer&p=1", "jobvite", "acme"),
    row("https://jobs.jobvite.com/acme/job/oAb12Cd3", "jobvite", "acme"),
    row("https://jobs.jobvite.com/acme/job/oAb12Cd3/apply", "jobvite", "acme"),
    row("https://jobs.jobvite.com/careers/acme/job/oAb12Cd3", "jobvite", "acme"),
    row("https://careers.jobvite.com/acme", "jobvite", "acme"),
    row("https://careers.jobvite.com/acme/job/oAb12Cd3", "jobvite", "acme"),
    # Oleeo (tal.net): vacancy boards, their feeds, and postings (which name their board)
    row(
        "https://acme.tal.net/vx/mobile-0/appcentre-1/brand-2/candidate/jobboard/vacancy/3/adv/",
        "oleeo",
        "acme.tal.net/vx/mobile-0/appcentre-1/brand-2/candidate/jobboard/vacancy/3",
    ),
    row(
        "https://acme.tal.net/vx/mobile-0/appcentre-1/brand-2/candidate/jobboard/vacancy/3/feed",
        "oleeo",
        "acme.tal.net/vx/mobile-0/appcentre-1/brand-2/candidate/jobboard/vacancy/3",
    ),
    row(
        "https://acme.tal.net/vx/mobile-0/appcentre-1/brand-2/candidate/so/pm/1/pl/3/opp/"
        "4101-Band-3-Anvil-Inspector/en-GB",
        "oleeo",
        "acme.tal.net/vx/mobile-0/appcentre-1/brand-2/candidate/jobboard/vacancy/3",
    ),
    row(
        "https://acme.tal.net/vx/lang-en-GB/mobile-0/appcentre-ext/brand-4/xf-9ddf4301e915/"
        "candidate/jobboard/vacancy/3/adv/?f_Item_Opportunity_133305_lk=1822",
        "oleeo",
        "acme.tal.net/vx/lang-en-GB/mobile-0/appcentre-ext/brand-4/xf-9ddf4301e915/"
        "candidate/jobboard/vacancy/3",
    ),
    # JazzHR (read from its JSON-LD)
    row(
        "https://acme.applytojob.com/apply/Ab1Cd2Ef3/Backend-Engineer",
        "jsonld",
        "https://acme.applytojob.com/apply",
    ),
    row("https://acme.applytojob.com/apply", "jsonld", "https://acme.applytojob.com/apply"),
    # UKG Pro Recruiting (UltiPro): boards, postings and the search API on UKG's hosts
    row(
        "https://recruiting2.ultipro.com/ACME1000/JobBoard/7b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/",
        "ukg",
        "ACME1000/7b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    ),
    row(
        "https://recruiting2.ultipro.com/ACME1000/JobBoard/7b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
        "/OpportunityDetail?opportunityId=69d553eb-7b6b-4176-a082-58ecb897204b",
        "ukg",
        "ACME1000/7b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    ),
    row(
        "https://recruiting.ultipro.ca/MAC5000MCDW/JobBoard/7b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
        "/JobBoardView/LoadSearchResults",
        "ukg",
        "recruiting.ultipro.ca/MAC5000MCDW/7b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    ),
    row(
        "https://acme.rec.pro.ukg.net/ACM1502ACME/JobBoard/7b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/",
        "ukg",
        "acme.rec.pro.ukg.net/ACM1502ACME/7b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    ),
    # Eightfold: tenants on eightfold.ai (the domain from a link's query), Microsoft's and
    # Netflix's careers hosts, and Eightfold paths with a domain on a company's own host
    row("https://acme.eightfold.ai/careers?query=engineer", "eightfold", "acme"),
    row("https://acme.eightfold.ai/careers/job/1099556324897", "eightfold", "acme"),
    row(
        "https://acme.eightfold.ai/careers?pid=1099556324897&domain=acme-corp.com",
        "eightfold",
        "acme.eightfold.ai/acme-corp.com",
    ),
    row(
        "https://jobs.careers.microsoft.com/global/en/job/1782313/Software-Engineer",
        "eightfold",
        "apply.careers.microsoft.com/microsoft.com",
    ),
    row(
        "https://apply.careers.microsoft.com/careers/job/1970393556747831",
        "eightfold",
        "apply.careers.microsoft.com/microsoft.com",
    ),
    row(
        "https://explore.jobs.netflix.net/careers/job/790298289882",
        "eightfold",
        "explore.jobs.netflix.net/netflix.com",
    ),
    row(
        "https://jobs.netflix.com/jobs/312345", "eightfold", "explore.jobs.netflix.net/netflix.com"
    ),
    row(
        "https://careers.qualcomm.com/careers?domain=qualcomm.com&pid=446700",
        "eightfold",
        "careers.qualcomm.com/qualcomm.com",
    ),
    # Oracle Recruiting Cloud: Candidate Experience sites, with or without a locale, and the API
    row(
        "https://eeho.fa.us2.oraclecloud.com/hcmUI/CandidateExperience/en/sites/CX_1/requisitions",
        "oracle",
        "eeho.fa.us2/CX_1",
    ),
    row(
        "https://eeho.fa.us2.oraclecloud.com/hcmUI/CandidateExperience/sites/CX_1/job/20114",
        "oracle",
        "eeho.fa.us2/CX_1",
    ),
    row(
        "https://fa-eups-saasfaprod1.fa.ocs.oraclecloud.com/hcmUI/CandidateExperience/fr-CA/sites/"
        "CX_2001/jobs?keyword=x",
        "oracle",
        "fa-eups-saasfaprod1.fa.ocs/CX_2001",
    ),
    row(
        "https://eeho.fa.us2.oraclecloud.com/hcmRestApi/resources/latest/recruitingCEJobRequisitions"
        "?onlyData=true&finder=findReqs;siteNumber=CX_45001,limit=25",
        "oracle",
        "eeho.fa.us2/CX_45001",
    ),
    # Amazon: a posting names the whole site, a search link the search it shows
    row("https://www.amazon.jobs/en/jobs/10509450/process-assistant", "amazon", SearchBoard()),
    row("https://account.amazon.jobs/jobs/10477971/apply", "amazon", SearchBoard()),
    row(
        "https://www.amazon.jobs/en/search?base_query=software+engineer&loc_query=Berlin",
        "amazon",
        SearchBoard(query="software engineer", location="Berlin"),
    ),
    # Google: postings and results pages, on the careers host the old links use too
    row(
        "https://www.google.com/about/careers/applications/jobs/results/1003975-software-engineer",
        "google",
        SearchBoard(),
    ),
    row("https://careers.google.com/jobs/results/1003975-engineer/", "google", SearchBoard()),
    row(
        "https://www.google.com/about/careers/applications/jobs/results/?q=sre&location=Zurich",
        "google",
        SearchBoard(query="sre", location="Zurich"),
    ),
    # Apple: a posting names the whole site; a search link its words and place
    row("https://jobs.apple.com/en-us/details/200681917/ee-intern?team=HW", "apple", SearchBoard()),
    row(
        "https://jobs.apple.com/en-us/search?search=siri&location=united-states-USA",
        "apple",
        SearchBoard(query="siri", location="united states"),
    ),
    # Avature: *.avature.net portals, and SearchJobs / JobDetail pages on any host
    row("https://bloomberg.avature.net/careers", "avature", "bloomberg.avature.net/careers"),
    row(
        "https://twosigma.avature.net/careers/OpenRoles", "avature", "twosigma.avature.net/careers"
    ),
    row(
        "https://mantech.avature.net/en_US/careers/SearchJobs/?1328=%5B7006%5D&jobRecordsPerPage=500",
        "avature",
        "mantech.avature.net/en_US/careers",
    ),
    row(
        "https://ibmglobal.avature.net/en_US/careers/JobDetail?jobId=59668&source=SN_LinkedIn",
        "avature",
        "ibmglobal.avature.net/en_US/careers",
    ),
    row(
        "https://mercadona.avature.net/es_ES/Careers/SearchJobs?3_60_3=243&jobOffset=20",
        "avature",
        "mercadona.avature.net/es_ES/Careers",
    ),
    row(
        "https://careers.unifiservice.com/careers/SearchJobs",
        "avature",
        "careers.unifiservice.com/careers",
    ),
    row(
        "https://careers.unifiservice.com/careers/JobDetail/425-BOS-Delta-Screener/13788",
        "avature",
        "careers.unifiservice.com/careers",
    ),
    row(
        "https://jobs.siemens.com/en_US/externaljobs/SearchJobs/Internship?folderOffset=6",
        "avature",
        "jobs.siemens.com/en_US/externaljobs",
    ),
    row(
        "https://jobs.siemens.com/en_US/externaljobs/JobDetail/458623",
        "avature",
        "jobs.siemens.com/en_US/externaljobs",
    ),
    # SuccessFactors: the older career pages by company, RMK sites on jobs2web and SAP hosts,
    # and any site's RMK job feed
    row(
        "https://career5.successfactors.eu/career?company=SwissRe&career_ns=job_listing_summary",
        "successfactors",
        "career5.successfactors.eu/SwissRe",
    ),
    row(
        "https://career4.successfactors.com/sfcareer/jobreqcareer?jobId=12345&company=acmeP",
        "successfactors",
        "career4.successfactors.com/acmeP",
    ),
    row(
        "https://career10.successfactors.com/career?career_ns=job_listing&company=volkswag04"
        "&navBarLevel=JOB_SEARCH&career_job_req_id=42",
        "successfactors",
        "career10.successfactors.com/volkswag04",
    ),
    row(
        "https://career44.sapsf.com/career?company=mavericsys&career_ns=job_listing_summary",
        "successfactors",
        "career44.sapsf.com/mavericsys",
    ),
    row(
        "https://acme.jobs2web.com/job/Berlin-Engineer/1100200300/",
        "successfactors",
        "acme.jobs2web.com",
    ),
    row(
        "https://acme.jobs.hr.cloud.sap/search/?createNewAlert=false&q=",
        "successfactors",
        "acme.jobs.hr.cloud.sap",
    ),
    row(
        "https://careers.bhp.com/services/rss/job/?locale=es_ES&keywords=(data)",
        "successfactors",
        "careers.bhp.com",
    ),
    # Taleo: Enterprise career sections (on taleo.net or a company's host), Business Edition
    row(
        "https://acme.taleo.net/careersection/2/jobsearch.ftl?lang=en",
        "taleo",
        "acme.taleo.net/2",
    ),
    row(
        "https://acme.taleo.net/careersection/2/jobdetail.ftl?job=123&lang=en",
        "taleo",
        "acme.taleo.net/2",
    ),
    row(
        "https://l3com.taleo.net/careersection/l3_ext_us/jobsearch.ftl",
        "taleo",
        "l3com.taleo.net/l3_ext_us",
    ),
    row(
        "https://kenvue.taleo.net/careersection/2/moresearch.ftl?lang=en&portal=8100010168",
        "taleo",
        "kenvue.taleo.net/2",
    ),
    row(
        "https://careers.acme.com/careersection/ext/jobdetail.ftl?job=2600123",
        "taleo",
        "careers.acme.com/ext",
    ),
    row(
        "https://phh.tbe.taleo.net/phh04/ats/careers/v2/searchResults?org=NFINDY&cws=37",
        "taleo",
        "phh.tbe.taleo.net/phh04/NFINDY/37",
    ),
    row(
        "https://phh.tbe.taleo.net/phh04/ats/careers/v2/viewRequisition?org=NFINDY&cws=37&rid=17",
        "taleo",
        "phh.tbe.taleo.net/phh04/NFINDY/37",
    ),
    row(
        "https://chk.tbe.taleo.net/chk05/ats/careers/requisition.jsp?org=ACME&cws=1&rid=42",
        "taleo",
        "chk.tbe.taleo.net/chk05/ACME/1",
    ),
    row(
        "https://phf.tbe.taleo.net/phf01/ats/servlet/Rss?org=HELIXESG&cws=45&WebPage=SRCHR_V2",
        "taleo",
        "phf.tbe.taleo.net/phf01/HELIXESG/45",
    ),
    # gr8people: sites on its two domains (a company's own domain is read from its page)
    row("https://acme.gr8people.com/jobs", "gr8people", "acme.gr8people.com"),
    row(
        "https://acme.gr8people.com/jobs/168293/software-engineer",
        "gr8people",
        "acme.gr8people.com",
    ),
    row(
        "https://acme.gr8people.com/index.gp?method=cappportal.showJob&opp=12345&sysLayoutId=123",
        "gr8people",
        "acme.gr8people.com",
    ),
    row("https://batesville.workgr8.com/jobs/1140", "gr8people", "batesville.workgr8.com"),
    # Phenom: links on phenompeople.com hosts (companies' own domains are read from the page)
    row(
        "https://jobs.acme.phenompeople.com/us/en/search-results",
        "phenom",
        "jobs.acme.phenompeople.com/us/en",
    ),
    row(
        "https://careers.acme.phenompeople.com/global/en/job/REQ-123/Director",
        "phenom",
        "careers.acme.phenompeople.com/global/en",
    ),
    # Radancy TalentBrew: posting links and keyword searches on any host, by their shape
    row(
        "https://jobs.citi.com/job/tampa/software-engineer/287/12345678",
        "radancy",
        "jobs.citi.com",
    ),
    row(
        "https://jobs.vinci.com/en/job/frankfurt-am-main/monteur/1440/2266761408",
        "radancy",
        "jobs.vinci.com/en",
    ),
    row(
        "https://jobs.citi.com/search-jobs/operations%20analyst/287/1/6252001/51.5/-0.12/50/2",
        "radancy",
        "jobs.citi.com",
    ),
    row(
        "https://jobs.target.com/search-jobs/results?ActiveFacetID=0&CurrentPage=1",
        "radancy",
        "jobs.target.com",
    ),
    # TikTok and ByteDance: postings read everything; search links name their search
    row("https://lifeattiktok.com/search/7412345678901234567", "tiktok", SearchBoard()),
    row(
        "https://lifeattiktok.com/search?keyword=backend&location_code_list=CT_243",
        "tiktok",
        SearchBoard(query="backend", location="CT_243"),
    ),
    row("https://careers.tiktok.com/position/7123456/detail", "tiktok", SearchBoard()),
    row("https://jobs.bytedance.com/en/position/7412345/detail", "bytedance", SearchBoard()),
    row("https://joinbytedance.com/search?keyword=seed", "bytedance", SearchBoard(query="seed")),
    # Meta: any posting or search link names the whole board (its search cannot be read)
    row("https://www.metacareers.com/jobs/1105729655266553/", "meta", SearchBoard()),
    row("https://www.metacareers.com/profile/job_details/1940312740718917", "meta", SearchBoard()),
    row("https://www.metacareers.com/jobs?q=backend", "meta", SearchBoard()),
    row("https://www.facebook.com/careers/v2/jobs/946116176191468/", "meta", SearchBoard()),
    # Uber: postings read everything; search links name their search
    row("https://www.uber.com/global/en/careers/list/135592/", "uber", SearchBoard()),
    row(
        "https://www.uber.com/us/en/careers/list/?query=backend&location=USA-New%20York-New%20York",
        "uber",
        SearchBoard(query="backend", location="USA-New York-New York"),
    ),
    # Tesla: postings (any locale) read everything; search links name their words and country
    row("https://www.tesla.com/careers/search/job/ai-engineer-224501", "tesla", SearchBoard()),
    row("https://www.tesla.com/en_GB/careers/search/job/engineer-222387", "tesla", SearchBoard()),
    row("https://careers.tesla.com/en_US/job/software-engineer-224501", "tesla", SearchBoard()),
    row(
        "https://www.tesla.com/careers/search/?query=robotaxi&site=US",
        "tesla",
        SearchBoard(query="robotaxi", location="US"),
    ),
]

NEAR_MISSES = [
    # the platforms' own marketing sites
    row("https://www.greenhouse.io/blog", None),
    row("https://greenhouse.io/acme", None),
    row("https://lever.co", None),
    row("https://www.lever.co/customers/acme", None),
    row("https://workable.com/pricing", None),
    row("https://www.workable.com/pricing", None),
    row("https://help.workable.com/hc/en-us", None),
    row("https://jobs.workable.com/view/abc", None),
    row("https://app.breezy.hr/signin", None),
    row("https://www.breezy.hr/", None),
    row("https://www.bamboohr.com", None),
    row("https://www.bamboohr.com/careers", None),
    row("https://recruitee.com", None),
    row("https://app.recruitee.com/l/acme", None),
    row("https://www.ashbyhq.com/customers", None),
    row("https://www.smartrecruiters.com/", None),
    row("https://www.personio.de/", None),
    row("https://www.teamtailor.com/en/", None),
    row("https://app.teamtailor.com/companies/acme", None),
    row("https://www.rippling.com/recruiting", None),
    row("https://www.myworkday.com/acme", None),
    row("https://www.amazon.jobs/en/teams/aws", None),
    row("https://www.amazon.com/jobs/123", None),
    row("https://www.google.com/search?q=software+engineer+jobs", None),
    row("https://www.google.com/about/careers/applications/", None),
    row("https://www.apple.com/careers/us/", None),
    row("https://jobs.apple.com/en-us/profile/info", None),
    # lookalike hosts, and platform hosts in a path or query
    row("https://greenhouse.io.evil.com/acme", None),
    row("https://boards.greenhouse.io.evil.com/acme", None),
    row("https://boards.greenhouse.io@evil.com/acme", None),
    row("https://evil.com/boards.greenhouse.io/acme", None),
    row("https://evil.com/?next=https://jobs.lever.co/acme", None),
    row("https://jobs.lever.co.evil.com/acme", None),
    row("https://acme.teamtailor.com.evil.com/jobs", None),
    row("https://acme.breezy.hr.evil.com/", None),
    row("https://notjobs.ashbyhq.com/acme", None),
    row("https://amazon.jobs.evil.com/en/jobs/123", None),
    # the right host, the wrong path
    row("https://boards.greenhouse.io/", None),
    row("https://boards.greenhouse.io/embed/job_board", None),
    row("https://jobs.lever.co/", None),
    row("https://jobs.ashbyhq.com/", None),
    row("https://apply.workable.com/j/A1B2C3D4E5", None),
    row("https://careers.smartrecruiters.com/", None),
    row("https://jobs.smartrecruiters.com/sr-jobs/search", None),
    row("https://acme.wd5.myworkdayjobs.com/en-US", None),
    row("https://acme.wd5.myworkdayjobs.com/", None),
    row("https://acme.bamboohr.com/login", None),
    row("https://ats.rippling.com/acme", None),
    row("https://acme.applytojob.com/", None),
    row("https://www.ultipro.com/", None),
    row("https://recruiting2.ultipro.com/ACME1000/JobBoard/not-a-guid", None),
    row(
        "https://recruiting2.ultipro.com.evil.com/ACME1000/JobBoard/7b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        None,
    ),
    row("https://eightfold.ai/careers", None),
    row("https://app.eightfold.ai/careers?domain=acme.com", None),
    row("https://acme.eightfold.ai.evil.com/careers", None),
    row("https://careers.microsoft.com.evil.com/", None),
    row("https://careers.acme.com/careers?domain=engineering", None),
    row("https://eeho.fa.us2.oraclecloud.com/hcmUI/CandidateExperience/en/sites/", None),
    row("https://eeho.fa.us2.oraclecloud.com/hcmUI/faces/FuseWelcome", None),
    row(
        "https://eeho.fa.us2.oraclecloud.com.evil.com/hcmUI/CandidateExperience/en/sites/CX_1", None
    ),
    row("https://www.oracle.com/careers/", None),
    row("https://www.avature.net/customers/", None),
    row("https://acme.avature.net/", None),
    row("https://acme.avature.net/SearchJobs", None),
    row("https://acme.avature.net.evil.com/careers", None),
    row("https://evil.com/?next=https://acme.avature.net/careers", None),
    row("https://acme.example/careers/searchjobs", None),
    row("https://ybs.jobtrain.co.uk/ybscareers/Job/JobDetail?JobId=20235", None),
    row("https://www.successfactors.com/en_us.html", None),
    row("https://performancemanager5.successfactors.eu/login?company=acme", None),
    row("https://career5.successfactors.eu/career?career_ns=job_listing_summary", None),
    row("https://career5.successfactors.eu.evil.com/career?company=acme", None),
    row("https://rmkcdn.successfactors.com/84a1c6b1/logo.png", None),
    row("https://jobs2web.com/", None),
    row("https://jobs.acme.com/services/rss/jobs/feed", None),
    row("https://www.taleo.net/", None),
    row("https://www.oracle.com/human-capital-management/taleo/", None),
    row("https://acme.taleo.net/careersection/rest/jobboard/searchjobs?lang=en&portal=101", None),
    row("https://hdr.taleo.net/careersection/jobdetail.ftl?job=165018&lang=en", None),
    row("https://phh.tbe.taleo.net/phh04/ats/careers/v2/searchResults", None),
    row("https://phh.tbe.taleo.net/phh04/ats/careers/v2/searchResults?org=ACME", None),
    row("https://phh.tbe.taleo.net.evil.com/phh04/ats/careers/v2/searchResults?org=A&cws=1", None),
    row("https://www.gr8people.com/", None),
    row("https://assets.gr8people.com/app-career-site/main.js", None),
    row("https://acme.gr8people.com.evil.com/jobs", None),
    row("https://cdn.phenompeople.com/CareerConnectResources/pp/ACMEUS/en_us/styles.css", None),
    row("https://www.phenompeople.com/us/en", None),
    row("https://acme.phenompeople.com/widgets", None),
    row("https://jobs.acme.com/us/en/job/R-1000/Engineer", None),
    row("https://jobs.citi.com/search-jobs", None),
    row("https://www.instahyre.com/search-jobs/", None),
    row("https://jobs.acme.com/job/austin/engineer/81234567890", None),
    row("https://jobs.acme.com/job/austin/engineer/abc/81234567890", None),
    row("https://jobs.acme.com/job/austin/senior/engineer/1234/81234567890", None),
    row("https://jobs.acme.com/search-jobs/results?q=engineer", None),
    row("https://tbcdn.talentbrew.com/company/1234/css/main.css", None),
    row("https://www.icims.com/company/careers/", None),
    row("https://icims.com/jobs/search", None),
    row("https://cookie-policy-scripts.icims.com/acme/script.js", None),
    row("https://developer-community.icims.com/jobs", None),
    row("https://careers-acme.icims.com/icims2/servlet/icims2?module=AppInert", None),
    row("https://careers-acme.icims.com.evil.com/jobs/search", None),
    row("https://www.jobvite.com/support/job-seeker-support/?invalid=1", None),
    row("https://jobs.jobvite.com/", None),
    row("https://jobs.jobvite.com/careers", None),
    row("https://jobs.jobvite.com/acme/about", None),
    row("https://careers.jobvite.com/careersites/JobviteWebServices.pdf", None),
    row("https://app.jobvite.com/CompanyJobs/Careers.aspx?c=qAb9VfwE&k=Job", None),
    row("https://jobs.jobvite.com.evil.com/acme/jobs", None),
    row("https://www.oleeo.com/", None),
    row("https://acme.tal.net/vx/mobile-0/candidate/", None),
    row("https://acme.tal.net/vx/lang-en-GB/appcentre-11/candidate/postings/4830", None),
    row("https://acme.tal.net.evil.com/vx/candidate/jobboard/vacancy/3/adv/", None),
    row("https://careers.acme.example/vx/candidate/jobboard/vacancy/3/adv/", None),
    row("https://lifeattiktok.com/life", None),
    row("https://www.tiktok.com/@acme", None),
    row("https://jobs.bytedance.com/campus/position/7123/detail", None),
    row("https://lifeattiktok.com.evil.com/search/123", None),
    row("https://www.metacareers.com/life/meet-our-people", None),
    row("https://www.facebook.com/acme", None),
    row("https://www.metacareers.com.evil.com/jobs/123/", None),
    row("https://www.uber.com/us/en/ride/", None),
    row("https://www.ubereats.com/careers/list/135592/", None),
    row("https://www.tesla.com/model3", None),
    row("https://careers.tesla.com.evil.example/en_US/job/engineer-224501", None),
    row("https://www.tesla.com/careers/search/job/software-engineer", None),
    row("https://www.tesla.com.evil.example/careers/search/job/224501", None),
    # not a link to anything
    row("https://acme.example/careers", None),
    row("", None),
]


@pytest.mark.parametrize(("url", "key", "board"), MATCHES)
def test_detects_platform_and_board(url: str, key: str, board: object) -> None:
    found = detect(url)
    assert found is not None, f"{url} was not recognised"
    assert (found.key, found.board) == (key, board)


@pytest.mark.parametrize(("url", "key", "board"), NEAR_MISSES)
def test_near_misses_do_not_match(url: str, key: None, board: None) -> None:
    found = detect(url)
    assert found is None, f"{url} matched {found.key}: {found.board}" if found else ""


def test_every_registered_platform_with_url_patterns_has_a_row() -> None:
    covered = {p.values[1] for p in MATCHES}  # type: ignore[attr-defined]
    with_patterns = {key for key, source in REGISTRY.items() if source.url_patterns}
    assert with_patterns <= covered


def test_the_readme_platform_table_lists_every_key() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Supported platforms", 1)[1].split("\n## ", 1)[0]
    missing = [key for key in REGISTRY if f"| `{key}` |" not in table]
    assert missing == []
