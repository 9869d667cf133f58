console.log('aoi');
