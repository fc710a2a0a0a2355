# For Astro CLI users (`astro dev start | parse | pytest`). Astro Runtime 3.2 ships Airflow 3.2.
# MWAA does not use this file; it installs requirements.txt and runs startup.sh.
FROM astrocrpublic.azurecr.io/runtime:3.2-6
COPY --chown=astro:astro startup.sh /tmp/startup.sh
RUN AIRFLOW_HOME=/usr/local/airflow bash /tmp/startup.sh
ENV AIRFLOW__DATAOPS__ENVIRONMENT=local
